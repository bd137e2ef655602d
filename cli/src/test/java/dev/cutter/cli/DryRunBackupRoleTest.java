package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A package whose backup_role is not the login role dry-runs to PASS: the sandbox's journal,
 * which the dry-run creates after {@code sandbox.setup}, is made readable by backup_role as
 * {@code cutter init --reader} would make it, and backup_role gets nothing more on it.
 */
@Tag("pgdump")
class DryRunBackupRoleTest {

  private static final String SETUP = """
      create role app_apply;
      create role app_backup;
      grant create, usage on schema public to app_apply;
      grant usage on schema public to app_backup;
      alter default privileges for role app_apply in schema public grant select on tables to app_backup;
      """;

  @TempDir Path tmp;

  @Test
  void aBackupRoleOfItsOwnCanReadTheSandboxJournalAndTheDryRunPasses() throws IOException {
    Path pkg = DryRunPackages.write(tmp.resolve("pkg"), SETUP, "create table public.t (id int);\n", """
        - sql:
            name: backup_role may read the journal but not write it
            query: "select has_table_privilege('app_backup', 'cutter.journal', 'SELECT') and has_sequence_privilege('app_backup', 'cutter.journal_id_seq', 'SELECT') and not has_table_privilege('app_backup', 'cutter.journal', 'INSERT') and not has_sequence_privilege('app_backup', 'cutter.journal_id_seq', 'USAGE')"
            expect: true
        """);
    Path yaml = pkg.resolve("package.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("  apply_role: app_apply\n",
        "  apply_role: app_apply\n  backup_role: app_backup\n") + """
        backup:
          required: true
          scope: database  # the journal's schema included
          dir: %s
          min_bytes: 64
        """.formatted(tmp.resolve("backups")));

    Cli r = Cli.run("dry-run", pkg.toString(), "--report-dir", tmp.resolve("reports").toString());

    // it was BLOCKED: "backup_role app_backup lacks SELECT on 1 sequence: cutter.journal_id_seq"
    assertThat(r.out()).contains("verdict: PASS").doesNotContain("journal_id_seq");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
  }
}
