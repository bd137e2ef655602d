package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signals to a real {@code cutter backup} process (the shaded jar in a child JVM) while pg_dump
 * waits on a lock the test holds, so the dump is caught in progress, with its temporary file open:
 * SIGKILL leaves the hidden temporary file, which the next run sweeps into quarantine with a
 * reason; SIGTERM kills pg_dump, quarantines the partial and exits 143.
 */
@WithPostgres
@Tag("pgdump")
class BackupSignalsIT {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private static final Pattern TEMPORARY = Pattern.compile("\\.sig-backup-\\d{8}T\\d{6}Z-[0-9a-f]{4}\\.dump\\.partial");

  private Path pkg(TestDatabase db) {
    db.execute("create table public.held (id int); insert into public.held select generate_series(1, 1000)");
    return approver.write(dir.resolve("pkg"), "sig-backup", db, "postgres", "create table sig_t (id int);\n", "[]",
        "[]", dir.resolve("backups"));
  }

  private ChildCutter backup(Path pkg, TestDatabase db) {
    return ChildCutter.start(dir.resolve("logs"), Map.of(), "backup", pkg.toString(), "--target", db.uri("postgres"),
        "--trust", approver.trust().toString());
  }

  /** Waits until the child's pg_dump waits on the test's lock. */
  private static void awaitDumpWaiting(TestDatabase db, ChildCutter child) throws InterruptedException {
    FaultInjectionIT.awaitActivity(db, child, "application_name = 'cutter pg_dump' and wait_event_type = 'Lock'");
  }

  private static List<String> names(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aPartialLeftByKill9IsSweptIntoQuarantineByTheNextRun(TestDatabase db) throws Exception {
    Path pkg = pkg(db);
    Path backups = dir.resolve("backups");
    String leftover;
    try (Connection blocker = db.superuser(); Statement st = blocker.createStatement()) {
      blocker.setAutoCommit(false);
      st.execute("lock table public.held in access exclusive mode");
      ChildCutter child = backup(pkg, db);
      awaitDumpWaiting(db, child);
      List<ProcessHandle> children = child.descendants();
      child.kill();
      children.forEach(ProcessHandle::destroyForcibly);

      // the dot-file is exactly what a kill -9 leaves: look for it, do not filter it out
      List<String> left = names(backups);
      assertThat(left).hasSize(2).contains(".cutter-backup.lock");
      leftover = left.stream().filter(n -> !n.equals(".cutter-backup.lock")).findFirst().orElseThrow();
      assertThat(leftover).matches(TEMPORARY);
      blocker.rollback();
    }

    Cli next = backup(pkg, db).await(120);

    assertThat(next.exit()).as(next.out() + next.err()).isZero();
    Path quarantined = backups.resolve("quarantine").resolve(leftover.substring(1));
    assertThat(quarantined).exists();
    assertThat(Files.readString(backups.resolve("quarantine").resolve(leftover.substring(1) + ".reason")))
        .matches("quarantined at \\S+\nleft under its temporary name by an earlier run that did not finish \\(killed,"
            + " or the machine stopped\\): no backup held the directory's lock when the next run took it\n");
    List<String> after = names(backups);
    assertThat(after).as("no temporary file left; the next run's backup at its final name")
        .noneMatch(n -> n.endsWith(".partial"))
        .anyMatch(n -> n.matches("sig-backup-\\d{8}T\\d{6}Z-[0-9a-f]{4}\\.dump"));
    FaultInjectionIT.assertFinalBackupsVerify(backups);
  }

  @Test
  void sigtermStopsPgDumpQuarantinesThePartialAndExits143(TestDatabase db) throws Exception {
    Path pkg = pkg(db);
    Path backups = dir.resolve("backups");
    try (Connection blocker = db.superuser(); Statement st = blocker.createStatement()) {
      blocker.setAutoCommit(false);
      st.execute("lock table public.held in access exclusive mode");
      ChildCutter child = backup(pkg, db);
      awaitDumpWaiting(db, child);
      List<ProcessHandle> children = child.descendants();
      assertThat(children).as("pg_dump runs under cutter").isNotEmpty();

      child.terminate();
      Cli r = child.await(60);

      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(143);
      for (ProcessHandle h : children) {
        assertThat(h.onExit().get(10, TimeUnit.SECONDS).isAlive()).as("pg_dump was stopped").isFalse();
      }
      blocker.rollback();
    }
    assertThat(names(backups)).containsExactly(".cutter-backup.lock", "quarantine");
    List<String> q = names(backups.resolve("quarantine"));
    assertThat(q).hasSize(2);
    assertThat(q.get(0)).matches("sig-backup-\\d{8}T\\d{6}Z-[0-9a-f]{4}\\.dump\\.partial");
    assertThat(q.get(1)).isEqualTo(q.get(0) + ".reason");
    assertThat(Files.readString(backups.resolve("quarantine").resolve(q.get(1))))
        .matches("quarantined at \\S+\ninterrupted by a signal \\(SIGINT/SIGTERM\\) during the dump\n");
  }
}
