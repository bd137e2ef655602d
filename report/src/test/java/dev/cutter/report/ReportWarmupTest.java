package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Permission;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's path taken ahead on a made-up report: the whole path, in memory only, on a daemon
 * thread that stops once the run renders its own report.
 */
class ReportWarmupTest {

  @Test
  void aWarmUpTakesTheWholePathOfARunsReportAndMasksItsSecret(@TempDir Path dir) {
    AtomicInteger steps = new AtomicInteger();

    ReportWarmup.Rendered r = ReportWarmup.render(300, () -> false, steps::incrementAndGet);

    assertThat(steps.get()).isEqualTo(ReportWarmup.STEPS);
    // what a run's report of the same made-up report would be, byte for byte
    ReportWriter.Rendered same = new ReportWriter(dir, SecretScanner.forEnvironment(java.util.Map.of(), "/home/warm-up")
        .withSecret("warm-up", ReportWarmup.SECRET)).render(new FailureClassifier().diagnose(RowValues.mask(
            ReportWarmup.report(300).withProvenance(dev.cutter.core.run.Provenance.ofBuild()))));
    assertThat(r.yaml()).isEqualTo(same.yamlText());
    assertThat(r.markdown()).isEqualTo(same.markdownText());
    assertThat(r.yaml().lines().filter(l -> l.startsWith("    - index: ")).count()).isEqualTo(300);
    assertThat(r.yaml()).doesNotContain(ReportWarmup.SECRET).contains("secrets_recorded: \"masked: 3 (password, warm-up)\"");
    assertThat(r.markdown()).doesNotContain(ReportWarmup.SECRET);
    assertThat(r.summary()).contains("verdict: PASS (exit 0)");
  }

  @Test
  void aWarmUpAbandonedAfterItsSecondStepTakesNoOther() {
    AtomicInteger steps = new AtomicInteger();

    ReportWarmup.Rendered r = ReportWarmup.render(300, () -> steps.get() >= 2, steps::incrementAndGet);

    assertThat(steps.get()).isEqualTo(2);
    assertThat(r.yaml()).isNull();
    assertThat(r.markdown()).isNull();
  }

  @Test
  void theWarmUpRunsOnALowPriorityDaemonThreadThatEndsOnceAbandoned() throws InterruptedException {
    ReportWarmup w = ReportWarmup.start(ReportWarmup.MAX_STATEMENTS);
    assertThat(w.thread().isDaemon()).isTrue();
    assertThat(w.thread().getPriority()).isEqualTo(Thread.MIN_PRIORITY);
    assertThat(w.thread().getName()).isEqualTo(ReportWarmup.THREAD);

    w.abandon();

    assertThat(w.awaitEnd(30_000)).isTrue();
    assertThat(w.stepsDone()).isLessThan(ReportWarmup.STEPS);
  }

  @Test
  @SuppressWarnings("removal")
  void aWholeWarmUpOpensNoFileForWriting(@TempDir Path dir) throws Exception {
    List<String> written = new CopyOnWriteArrayList<>();
    SecurityManager before = System.getSecurityManager();
    System.setSecurityManager(new SecurityManager() {
      @Override
      public void checkWrite(String file) {
        if (Thread.currentThread().getName().equals(ReportWarmup.THREAD)) {
          written.add(file);
        }
      }

      @Override
      public void checkPermission(Permission perm) {
        // everything else allowed: only the warm-up thread's writes are watched
      }
    });
    ReportWarmup w;
    try {
      w = ReportWarmup.start(200);
      assertThat(w.awaitEnd(60_000)).isTrue();
    } finally {
      System.setSecurityManager(before);
    }

    assertThat(w.stepsDone()).isEqualTo(ReportWarmup.STEPS);
    assertThat(written).isEmpty();
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }
}
