package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dry-run of a package whose sandbox setup and artifact load rows with {@code COPY … FROM STDIN}
 * and inline data (a plain pg_dump used as setup, say): both run, the lock plan measures the COPY,
 * and the data reaches neither the report nor the terminal.
 */
class CopyDataDryRunTest {

  private static final String PLAIN = "Zebra-Quince-8841";

  @TempDir Path tmp;

  @Test
  void setupAndArtifactLoadTheirCopyData() {
    String setup = """
        create role app_apply;
        grant create on schema public to app_apply;
        create table public.seed (id int primary key, v text);
        copy public.seed from stdin;
        1	%s
        2	\\N
        \\.
        grant select on public.seed to app_apply;
        """.formatted(PLAIN);
    String artifact = """
        create table public.loaded (id int primary key, v text);
        copy public.loaded (id, v) from stdin;
        10	%s
        11	tab\\there
        \\.
        """.formatted(PLAIN);
    Path pkg = DryRunPackages.write(tmp.resolve("pkg"), setup, artifact, """
        - objects_present: { schema: public, tables: [ loaded ] }
        - sql: { name: rows loaded, query: "select count(*) from public.loaded", expect: 2 }
        - sql: { name: seed rows, query: "select count(*) from public.seed", expect: 2 }
        """);

    Cli r = Cli.run("dry-run", pkg.toString(), "--report-dir", tmp.resolve("reports").toString());

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    String reports = Approver.allFiles(tmp.resolve("reports"));
    assertThat(reports).contains("copy public.loaded (id, v) from stdin;").contains("RowExclusiveLock");
    assertThat(r.out() + r.err() + reports).doesNotContain(PLAIN);
  }
}
