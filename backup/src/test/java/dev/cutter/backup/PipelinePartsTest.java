package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelinePartsTest {

  @Test
  void countsTocEntriesAndTableDataInAListing() throws Exception {
    String listing = ";\n; Archive created at 2026-11-22 22:00:00 UTC\n;     dbname: app\n;\n"
        + "; Selected TOC Entries:\n;\n"
        + "3366; 0 0 ENCODING - ENCODING \n"
        + "6; 2615 16385 SCHEMA - shop postgres\n"
        + "215; 1259 16386 TABLE shop orders postgres\n"
        + ";\tdepends on: 6\n"
        + "3359; 0 16386 TABLE DATA shop orders postgres\n"
        + "3360; 0 16390 TABLE DATA shop Line Items postgres\n";
    int[] counts = DumpPipeline.countListing(new ByteArrayInputStream(listing.getBytes(StandardCharsets.UTF_8)));
    assertThat(counts).containsExactly(5, 2);
  }

  @Test
  void picksTheErrorLineOfPgDumpStderr() {
    String stderr = "pg_dump: warning: something\npg_dump: error: query failed: ERROR:  permission denied for schema s\n"
        + "pg_dump: detail: Query was: LOCK TABLE s.t IN ACCESS SHARE MODE\n";
    assertThat(DumpPipeline.firstErrorLine(stderr)).isEqualTo(
        "pg_dump: error: query failed: ERROR:  permission denied for schema s");
    assertThat(DumpPipeline.firstErrorLine("only a line\n")).isEqualTo("only a line");
    assertThat(DumpPipeline.firstErrorLine("")).isEqualTo("(no message)");
  }

  @Test
  void parsesTheMajorVersionOfAClient() {
    assertThat(PgTools.parseMajor("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)")).isEqualTo(15);
    assertThat(PgTools.parseMajor("pg_dump (PostgreSQL) 17devel")).isEqualTo(17);
    assertThat(PgTools.parseMajor("something else")).isEqualTo(-1);
  }

  @Test
  void anEnvelopeWithoutItsDigestOrFormatIsIncomplete() {
    Instant t = Instant.parse("2026-11-22T22:00:00Z");
    String sha = "a".repeat(64);
    BackupEnvelope complete = new BackupEnvelope(Path.of("x.dump"), 10, sha, sha, 10, "custom", "1.14-0", "15.18",
        "15.19", "app", 12, 3, List.of(), t, t.plusSeconds(1));
    BackupEnvelope incomplete = new BackupEnvelope(Path.of("x.dump"), 0, null, sha, 10, "", "1.14-0", null,
        "15.19", "app", 0, 3, null, t, t.minusSeconds(1));

    assertThat(complete.missingFields()).isEmpty();
    assertThat(incomplete.missingFields()).containsExactly("bytes", "sha256", "format", "pg_dump_version",
        "toc_entries", "encrypted_to", "finished");
    assertThat(complete.toBackupInfo().status()).isEqualTo(dev.cutter.core.run.RunStatus.Backup.PASS);
  }

  @Test
  void quotesSchemaNamesAsLiteralPatterns() {
    assertThat(BackupGate.literalPattern("Sales.2026*")).isEqualTo("\"Sales.2026*\"");
    assertThat(BackupGate.literalPattern("a\"b")).isEqualTo("\"a\"\"b\"");
    assertThat(BackupGate.fileName("pkg", "r1", true)).isEqualTo("pkg-r1.dump.pgp");
  }
}
