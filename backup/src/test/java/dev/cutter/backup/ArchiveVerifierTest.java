package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.backup.ArchiveSummary.QualifiedName;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@WithPostgres
class ArchiveVerifierTest {

  @TempDir Path tmp;

  @Test
  void rejectsBytesWithoutTheMagic() {
    InputStream in = new ByteArrayInputStream("-- PostgreSQL database dump\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> ArchiveVerifier.verify(in)).isInstanceOf(ArchiveException.class).hasMessageContaining("PGDMP");
  }

  @Test
  void rejectsAnEmptyStream() {
    assertThatThrownBy(() -> ArchiveVerifier.verify(new ByteArrayInputStream(new byte[0])))
        .isInstanceOf(ArchiveException.class).hasMessageContaining("truncated");
  }

  @Test
  @Tag("pgdump")
  void walksACompleteDumpAndListsItsTableData(TestDatabase db) throws Exception {
    Path dump = sampleDump(db);

    ArchiveSummary s = verify(Files.readAllBytes(dump));

    assertThat(s.header().formatName()).isEqualTo("custom");
    assertThat(s.header().archiveVersion()).isEqualTo("1.14-0");
    assertThat(s.header().databaseName()).isEqualTo(db.name());
    assertThat(s.header().pgDumpVersion()).startsWith("15.");
    assertThat(s.tableData()).containsExactlyInAnyOrder(
        new QualifiedName("shop", "orders"), new QualifiedName("shop", "Line Items"), new QualifiedName("public", "notes"));
    assertThat(s.dataBlocks()).as("a data block per table")
        .isGreaterThanOrEqualTo(3);
    assertThat(s.tocEntries()).isGreaterThan(s.tableData().size());
  }

  @Test
  @Tag("pgdump")
  void catchesAnArchiveCutOffAnywhere(TestDatabase db) throws Exception {
    byte[] whole = Files.readAllBytes(sampleDump(db));
    int[] cuts = {1, 5, 11, 40, whole.length / 4, whole.length / 2, whole.length - 100, whole.length - 5, whole.length - 1};
    for (int cut : cuts) {
      byte[] part = Arrays.copyOf(whole, cut);
      assertThatThrownBy(() -> verify(part)).as("cut at %d of %d", cut, whole.length)
          .isInstanceOf(ArchiveException.class).hasMessageContaining("truncated");
    }
  }

  @Test
  @Tag("pgdump")
  void catchesAnArchiveThatEndsBetweenDataBlocks(TestDatabase db) throws Exception {
    Path dump = sampleDump(db);
    byte[] whole = Files.readAllBytes(dump);
    // the last data block ends with a zero-length chunk: cut right after the one before it
    int lastBlockStart = lastBlockStart(whole);
    byte[] part = Arrays.copyOf(whole, lastBlockStart);
    assertThatThrownBy(() -> verify(part)).isInstanceOf(ArchiveException.class)
        .hasMessageContaining("never came");
  }

  /** The offset where the last data block begins, found by walking prefixes until one verifies as ending cleanly. */
  private static int lastBlockStart(byte[] whole) {
    for (int cut = whole.length - 1; cut > 0; cut--) {
      try {
        verify(Arrays.copyOf(whole, cut));
      } catch (ArchiveException e) {
        if (e.getMessage().contains("never came")) {
          return cut;
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("no block boundary found");
  }

  private Path sampleDump(TestDatabase db) throws Exception {
    db.execute("create schema shop;"
        + "create table shop.orders(id serial primary key, note text);"
        + "create table shop.\"Line Items\"(id int references shop.orders, qty int check (qty > 0));"
        + "create table public.notes(body text);"
        + "insert into shop.orders(note) select md5(g::text) from generate_series(1, 2000) g;"
        + "insert into shop.\"Line Items\" select g, 1 from generate_series(1, 2000) g;");
    Path dump = tmp.resolve("sample.dump");
    PgDumpSupport.dumpToFile(db, dump);
    return dump;
  }

  private static ArchiveSummary verify(byte[] bytes) throws IOException {
    return ArchiveVerifier.verify(new ByteArrayInputStream(bytes));
  }
}
