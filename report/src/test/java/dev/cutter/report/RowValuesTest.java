package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Row values the server quotes in errors are masked by SQLSTATE and the shape of the DETAIL; names stay. */
class RowValuesTest {

  @Test
  void masksTheValueOfAUniqueViolationKeepingTheColumns() {
    assertThat(RowValues.detail("23505", "Key (card)=(4111 1111 1111 1111) already exists."))
        .isEqualTo("Key (card)=(****) already exists.");
    assertThat(RowValues.detail("23505", "Key (lower(email::text), tenant)=(a@b.example, 7) already exists."))
        .isEqualTo("Key (lower(email::text), tenant)=(****) already exists.");
    assertThat(RowValues.detail("23505", "Key (card)=(4111) 1111) is duplicated."))
        .isEqualTo("Key (card)=(****) is duplicated.");
  }

  @Test
  void masksForeignKeyValuesKeepingTheTable() {
    assertThat(RowValues.detail("23503", "Key (customer_id)=(42) is not present in table \"customers\"."))
        .isEqualTo("Key (customer_id)=(****) is not present in table \"customers\".");
    assertThat(RowValues.detail("23503", "Key (id)=(7) is still referenced from table \"orders\"."))
        .isEqualTo("Key (id)=(****) is still referenced from table \"orders\".");
    assertThat(RowValues.detail("23503", "Key is not present in table \"customers\"."))
        .as("no value quoted when the role may not read the columns")
        .isEqualTo("Key is not present in table \"customers\".");
  }

  @Test
  void masksFailingRowsOfNotNullAndCheckViolations() {
    assertThat(RowValues.detail("23502", "Failing row contains (1, null, 4111111111111111)."))
        .isEqualTo("Failing row contains (****).");
    assertThat(RowValues.detail("23514", "Failing row contains (2, -5)."))
        .isEqualTo("Failing row contains (****).");
  }

  @Test
  void masksBothSidesOfAnExclusionConflict() {
    assertThat(RowValues.detail("23P01",
        "Key (room, during)=(1, [2026-01-01,2026-01-02)) conflicts with existing key (room, during)=(1, [2026-01-01,2026-01-03))."))
        .isEqualTo("Key (room, during)=(****) conflicts with existing key (room, during)=(****).");
  }

  @Test
  void withholdsAClass23DetailOfUnknownShape() {
    assertThat(RowValues.detail("23505", "Some new wording with 4111111111111111"))
        .isEqualTo(RowValues.WITHHELD);
  }

  @Test
  void keepsTheDetailOfOtherClasses() {
    String detail = "view v depends on table t";

    assertThat(RowValues.detail("2BP01", detail)).isEqualTo(detail);
    assertThat(RowValues.detail(null, detail)).isEqualTo(detail);
  }

  @Test
  void decidesFromTheSqlstateNotFromTheWords() {
    String keyLike = "Key (a)=(1) already exists.";

    assertThat(RowValues.detail("42P07", keyLike)).as("not a constraint violation").isEqualTo(keyLike);
    assertThat(RowValues.message("42601", "syntax error at or near \"x\"")).isEqualTo("syntax error at or near \"x\"");
  }

  @Test
  void masksTheInputQuotedByADataException() {
    assertThat(RowValues.message("22P02", "invalid input syntax for type integer: \"4111-x\""))
        .isEqualTo("invalid input syntax for type integer: \"****\"");
    assertThat(RowValues.message("22003", "value \"99999999999\" is out of range for type integer"))
        .isEqualTo("value \"****\" is out of range for type integer");
    assertThat(RowValues.message("22001", "value too long for type character varying(4)"))
        .isEqualTo("value too long for type character varying(4)");
  }

  @Test
  void masksCopiesInFreeText() {
    String cause = "Statement 1 (line 1) failed with SQLSTATE 23505: duplicate key value violates unique constraint"
        + " \"cards_card_key\" (Key (card)=(4111 1111 1111 1111) already exists).";

    assertThat(RowValues.text(cause)).contains("Key (card)=(****) already exists").doesNotContain("4111");
    assertThat(RowValues.text("apply would stop: invalid input syntax for type integer: \"abc9\" (SQLSTATE 22P02)"))
        .isEqualTo("apply would stop: invalid input syntax for type integer: \"****\" (SQLSTATE 22P02)");
    assertThat(RowValues.text("x (Failing row contains (1, secret-row)). y")).isEqualTo("x (Failing row contains (****)). y");
  }

  @Test
  void masksTheFieldOrLineTheContextOfACopyErrorQuotes() {
    assertThat(RowValues.text("COPY t, line 2, column id: \"sk_live_4eC39HqLyjWDarjtT1zdp7dc\""))
        .isEqualTo("COPY t, line 2, column id: \"****\"");
    assertThat(RowValues.text("COPY app.\"my t\", line 7: \"1\tsecret\"value\t\"x\"\""))
        .isEqualTo("COPY app.\"my t\", line 7: \"****\"");
    assertThat(RowValues.text("COPY t, line 3, column b: \"multi\nline \" value\""))
        .isEqualTo("COPY t, line 3, column b: \"****\"");
    assertThat(RowValues.text("PL/pgSQL function f() line 3 at RAISE\nCOPY t, line 1, column a: \"v\""))
        .isEqualTo("PL/pgSQL function f() line 3 at RAISE\nCOPY t, line 1, column a: \"****\"");
    // contexts that quote nothing stay as they are
    assertThat(RowValues.text("COPY t, line 2")).isEqualTo("COPY t, line 2");
    assertThat(RowValues.text("COPY t, line 2, column b: null input")).isEqualTo("COPY t, line 2, column b: null input");
  }

  @Test
  void masksTheLineTheContextOfAJsonInputErrorQuotesAndKeepsTheOuterContexts() {
    assertThat(RowValues.text("JSON data, line 1: {\"card\": \"4111111111111111\", oops..."))
        .isEqualTo("JSON data, line 1: ****");
    assertThat(RowValues.text("JSON data, line 3: \"pan\": 4111111111111111 x...\nPL/pgSQL function f(text) line 4 at"
        + " assignment")).isEqualTo("JSON data, line 3: ****\nPL/pgSQL function f(text) line 4 at assignment");
  }

  @Test
  void masksTheLiteralsOfAStatementAContextQuotesAndKeepsItsNamesAndTheOuterContexts() {
    assertThat(RowValues.text("SQL statement \"insert into \"my t\" values ('4111111111111111', E'x\\'y', 42)\"\n"
        + "PL/pgSQL function inline_code_block line 1 at EXECUTE"))
        .isEqualTo("SQL statement \"insert into \"my t\" values ('****', E'****', ****)\"\n"
            + "PL/pgSQL function inline_code_block line 1 at EXECUTE");
    assertThat(RowValues.text("SQL statement \"update t set c = $x$4111111111111111$x$\""))
        .isEqualTo("SQL statement \"update t set c = $x$****$x$\"");
  }

  @Test
  void masksTheInputAClass22MessageCopiedWithItsSqlstateQuotes() {
    assertThat(RowValues.text("sql#1: malformed array literal: \"4111111111111111\" (SQLSTATE 22P02)"))
        .isEqualTo("sql#1: malformed array literal: \"****\" (SQLSTATE 22P02)");
    assertThat(RowValues.text("malformed range literal: \"4111\""))
        .isEqualTo("malformed range literal: \"****\"");
    assertThat(RowValues.text("invalid value \"4111\" for \"YYYY\" (SQLSTATE 22007)"))
        .isEqualTo("invalid value \"****\" for \"YYYY\" (SQLSTATE 22007)");
    assertThat(RowValues.text("time zone: \"Mars/4111\" (SQLSTATE 22023)")).isEqualTo("time zone: \"****\" (SQLSTATE 22023)");
    // other classes quote names, not values
    assertThat(RowValues.text("relation: \"docs\" (SQLSTATE 42P01)")).isEqualTo("relation: \"docs\" (SQLSTATE 42P01)");
  }

  @Test
  void maskingAFailedStatementKeepsTheApplySettingsAndTheProvenance() {
    dev.cutter.core.run.RunReport failed = SampleReports.failedAtStatement7()
        .withApplySettings(new dev.cutter.core.run.RunReport.ApplySettingsInfo("transaction", "5000ms", "60000ms", null))
        .withProvenance(dev.cutter.core.run.Provenance.ofBuild());

    dev.cutter.core.run.RunReport masked = RowValues.mask(failed);

    assertThat(masked.apply().failedStatement().detail()).isEqualTo("Key (invoice_id, line_no)=(****) is duplicated.");
    assertThat(masked.applySettings()).isEqualTo(failed.applySettings());
    assertThat(masked.provenance()).isEqualTo(failed.provenance());
  }
}
