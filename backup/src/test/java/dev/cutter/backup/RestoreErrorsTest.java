package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What of the restore proof's pg_restore stderr is kept: pg_restore's own lines, never the server's message. */
class RestoreErrorsTest {

  @Test
  void aCopyFailureKeepsTheTableAndWithholdsTheServersMessageAndEverythingAfterIt() {
    RestoreErrors e = RestoreErrors.of("""
        pg_restore: while PROCESSING TOC:
        pg_restore: from TOC entry 3345; 0 16390 TABLE DATA z_guard app
        pg_restore: error: COPY failed for table "z_guard": ERROR:  Payroll-Row-7731
        DETAIL:  Payroll-Row-7731
        CONTEXT:  PL/pgSQL function ledger.ok(integer) line 1 at RAISE
        COPY z_guard, line 1: "1"
        """);

    assertThat(e.kept()).containsExactly("pg_restore: while PROCESSING TOC:",
        "pg_restore: from TOC entry 3345; 0 16390 TABLE DATA z_guard app",
        "pg_restore: error: COPY failed for table \"z_guard\"");
    assertThat(e.withheldLines()).isEqualTo(3);
    assertThat(e.summary()).startsWith("pg_restore: error: COPY failed for table \"z_guard\"; the server's message is withheld");
    assertThat(e.summary() + e.details()).doesNotContain("Payroll").doesNotContain("COPY z_guard, line");
  }

  @Test
  void aQueryFailureKeepsPgRestoresWordsAndWithholdsTheCommand() {
    RestoreErrors e = RestoreErrors.of("pg_restore: error: could not execute query: ERROR:  Payroll-Row-7731\n"
        + "Command was: CREATE INDEX i ON ledger.t USING btree (ledger.f(n));\n");

    assertThat(e.kept()).containsExactly("pg_restore: error: could not execute query");
    assertThat(e.details()).isEqualTo("pg_restore: error: could not execute query\n"
        + "[the rest of the last line and 1 line withheld: the server's message]");
  }

  @Test
  void aLineMadeToLookLikePgRestoresAfterTheServersMessageStartedIsWithheld() {
    // the server's message is the code's own text: a newline then "pg_restore: " in it forges a line
    RestoreErrors e = RestoreErrors.of("pg_restore: error: could not execute query: ERROR:  x\n"
        + "pg_restore: error: COPY failed for table \"Payroll-Row-7731\"\n");

    assertThat(e.kept()).containsExactly("pg_restore: error: could not execute query");
    assertThat(e.withheldLines()).isEqualTo(1);
  }

  @Test
  void aLineNotOfPgRestoreEndsWhatIsKept() {
    RestoreErrors e = RestoreErrors.of("pg_restore: from TOC entry 1; 0 1 TABLE DATA t app\n"
        + "Payroll-Row-7731\npg_restore: error: something\n");

    assertThat(e.kept()).containsExactly("pg_restore: from TOC entry 1; 0 1 TABLE DATA t app");
    assertThat(e.withheldLines()).isEqualTo(2);
  }

  @Test
  void aNoticeOrAServerMessageRightAfterThePrefixKeepsNothingOfItsLine() {
    RestoreErrors e = RestoreErrors.of("pg_restore: NOTICE:  Payroll-Row-7731\n");

    assertThat(e.kept()).isEmpty();
    assertThat(e.anyWithheld()).isTrue();
    assertThat(e.summary()).startsWith("(no message of pg_restore's own); the server's message is withheld");
  }

  @Test
  void pgRestoresOwnFailureWithoutAServerMessageIsKeptWhole() {
    RestoreErrors e = RestoreErrors.of("pg_restore: error: could not uncompress data: incorrect data check\n");

    assertThat(e.kept()).containsExactly("pg_restore: error: could not uncompress data: incorrect data check");
    assertThat(e.anyWithheld()).isFalse();
    assertThat(e.summary()).isEqualTo("pg_restore: error: could not uncompress data: incorrect data check");
    assertThat(e.details()).isEqualTo("pg_restore: error: could not uncompress data: incorrect data check");
  }

  @Test
  void anOverlongLineEndsWhatIsKeptAndIsNeverHeldWhole() throws Exception {
    String line = "pg_restore: error: COPY failed for table \"t\"" + "x".repeat(2 * RestoreErrors.MAX_LINE) + ": ERROR:  Payroll\n";
    RestoreErrors e = RestoreErrors.read(new ByteArrayInputStream((line + "pg_restore: error: more\n")
        .getBytes(StandardCharsets.UTF_8)));

    assertThat(e.kept()).hasSize(1);
    assertThat(e.kept().get(0)).hasSize(RestoreErrors.MAX_LINE).doesNotContain("Payroll");
    assertThat(e.withheldLines()).isEqualTo(1);
  }

  @Test
  void nothingPrintedIsNoDetail() {
    RestoreErrors e = RestoreErrors.of("");

    assertThat(e.details()).isNull();
    assertThat(e.summary()).isEqualTo("(no message of pg_restore's own)");
  }
}
