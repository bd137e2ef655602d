package dev.cutter.core.via;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PgDumpViaTest {

  @Test
  void splitsOnSpacesAndTabsAsAShellWould() {
    assertThat(PgDumpVia.split("docker exec -i -e PGPASSWORD pg16"))
        .containsExactly("docker", "exec", "-i", "-e", "PGPASSWORD", "pg16");
    assertThat(PgDumpVia.split("  ssh\t-T  db-host  ")).containsExactly("ssh", "-T", "db-host");
    assertThat(PgDumpVia.split("sudo -u postgres --preserve-env=PGPASSWORD"))
        .as("a name after = is forwarding, not an assignment").containsExactly("sudo", "-u", "postgres", "--preserve-env=PGPASSWORD");
    assertThat(PgDumpVia.split("docker exec --user=postgres db")).containsExactly("docker", "exec", "--user=postgres", "db");
  }

  @Test
  void quotesKeepTheirTextAndJoinWithTheirNeighbours() {
    assertThat(PgDumpVia.split("run 'a b' \"c d\" x'y z'w ';|$*'"))
        .containsExactly("run", "a b", "c d", "xy zw", ";|$*");
    assertThat(PgDumpVia.split("a ''b")).containsExactly("a", "b");
  }

  @Test
  void refusesWhatAShellWouldReadAsMoreThanWordsInOneLine() {
    assertRefused("docker exec db; rm -rf x", 15, "';' at column 15 would be interpreted by a shell (expansion, redirection,"
        + " globbing or another command); cutter runs no shell: quote it with '...' if it is meant literally");
    assertRefused("docker exec $CONTAINER", 13, "'$' at column 13 would be interpreted by a shell (expansion, redirection,"
        + " globbing or another command); cutter runs no shell: quote it with '...' if it is meant literally");
    assertRefused("docker exec `cat c`", 13, null);
    assertRefused("docker exec a\\ b", 14, null);
    assertRefused("docker exec db*", 15, null);
    assertRefused("docker exec ~/db", 13, null);
    assertRefused("docker exec 'db", 13, "unterminated ' quote at column 13");
    assertRefused("docker exec \"db", 13, "unterminated \" quote at column 13");
    assertRefused("docker exec \"$HOME\"", 14, "'$' inside double quotes at column 14 would be interpreted by a shell;"
        + " use single quotes");
    assertRefused("docker exec db\nrm x", 15, "a control character (a line break) at column 15: the prefix is one line");
    assertRefused("docker exec 'a\nb'", 15, "a control character (a line break) at column 15: the prefix is one line");
    assertRefused("docker exec '' db", 13, "an empty word at column 13");
    assertRefused("   ", 0, "an empty prefix: name the command that runs pg_dump where the server lives, e.g. docker exec -i"
        + " -e PGPASSWORD CONTAINER");
  }

  @Test
  void refusesAssignmentsOfSecretsAndLibpqVariables() {
    String tail = " in argv, which every user of this host can read; forward variables by name only (e.g. -e PGPASSWORD)"
        + " and cutter sets them in the prefix's environment";
    assertRefused("docker exec -i -e PGPASSWORD=hunter2 db", 19, "the word at column 19 assigns a value to the libpq variable PGPASSWORD" + tail);
    assertRefused("docker exec --env=PGPASSWORD=hunter2 db", 13, "the word at column 13 assigns a value to the libpq variable PGPASSWORD" + tail);
    assertRefused("docker exec -ePGPASSWORD=hunter2 db", 13, "the word at column 13 assigns a value to the libpq variable PGPASSWORD" + tail);
    assertRefused("env PGHOST=elsewhere docker exec db", 5, "the word at column 5 assigns a value to the libpq variable PGHOST" + tail);
    assertRefused("docker exec -e 'API_TOKEN=abc' db", 16, "the word at column 16 assigns a value to the variable API_TOKEN" + tail);
    assertRefused("docker exec -e db_password=x db", 16, "the word at column 16 assigns a value to the variable db_password" + tail);
  }

  @Test
  void checksHostAndPortAndShowsThePrefixQuoted() {
    PgDumpVia v = PgDumpVia.parse("docker exec -i 'my db'", Optional.of("/var/run/postgresql"), OptionalInt.of(5432), "--pg-dump-via");
    assertThat(v.prefix()).containsExactly("docker", "exec", "-i", "my db");
    assertThat(v.display()).isEqualTo("docker exec -i 'my db'");
    assertThatThrownBy(() -> PgDumpVia.parse("docker exec db", Optional.of("a b"), OptionalInt.empty(), "x"))
        .hasMessage("'a b' is not a host name, an address or a socket directory");
    assertThatThrownBy(() -> PgDumpVia.parse("docker exec db", Optional.empty(), OptionalInt.of(70000), "x"))
        .hasMessage("70000 is not a port (1 to 65535)");
    assertThat(PgDumpVia.split("x").size()).isEqualTo(List.of("x").size());
  }

  private static void assertRefused(String prefix, int column, String message) {
    assertThatThrownBy(() -> PgDumpVia.split(prefix)).as(prefix).isInstanceOfSatisfying(PgDumpVia.Invalid.class, e -> {
      assertThat(e.column()).as("column of %s", prefix).isEqualTo(column);
      assertThat(e.getMessage()).as("one line").doesNotContain("\n");
      if (message != null) {
        assertThat(e.getMessage()).isEqualTo(message);
      }
    });
  }
}
