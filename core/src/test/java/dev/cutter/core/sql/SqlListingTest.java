package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlListingTest {

  private static final String AWKWARD = "select '\"\\\\ \t\r\n\b\f\u0001\u001f \u2028 é 東京 \uD83D\uDE00';";

  @Test
  void jsonEscapesEveryCharacterJsonRequires() throws Exception {
    String json = SqlListing.json(List.of(new SqlStatement(1, 2, 3, StatementKind.SQL, AWKWARD)));

    assertThat(json).doesNotContain("\t", "\r", "\b", "\f", "\u0001", "\u2028");
    JsonNode node = new ObjectMapper().readTree(json).get(0);
    assertThat(node.get("text").asText()).isEqualTo(AWKWARD);
    assertThat(node.get("index").asInt()).isEqualTo(1);
    assertThat(node.get("start_line").asInt()).isEqualTo(2);
    assertThat(node.get("end_line").asInt()).isEqualTo(3);
    assertThat(node.get("kind").asText()).isEqualTo("SQL");
  }

  @Test
  void emptyListIsAnEmptyArray() throws Exception {
    assertThat(new ObjectMapper().readTree(SqlListing.json(List.of())).isEmpty()).isTrue();
    assertThat(SqlListing.text(List.of())).isEmpty();
  }

  @Test
  void textHeaderShowsOneLineOrARange() {
    assertThat(SqlListing.text(List.of(
        new SqlStatement(1, 4, 4, StatementKind.TRANSACTION_CONTROL, "begin;"),
        new SqlStatement(2, 5, 7, StatementKind.SQL, "select\n1\n;"))))
        .isEqualTo("-- #1 line 4 TRANSACTION_CONTROL\nbegin;\n\n-- #2 lines 5-7 SQL\nselect\n1\n;\n\n");
  }
}
