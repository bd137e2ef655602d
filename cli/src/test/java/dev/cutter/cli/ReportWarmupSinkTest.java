package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.run.RunIds;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.report.ReportWarmup;
import dev.cutter.report.SecretScanner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apply's report sink warms the report's path once the run waits on the server, and stops the
 * warm-up when it writes the run's report: the run's directory then holds the run's two files only,
 * and no warm-up thread is left running.
 */
class ReportWarmupSinkTest {

  private static RunReport report() {
    return new RunReport(RunIds.next(Clock.systemUTC()), RunMode.APPLY, null, null, null, 2, false, List.of(), null,
        null, null, null, "made up", List.of(), null, Instant.now(), Instant.now());
  }

  @Test
  void theWarmUpStartsWhenTheServerIsBusyAndEndsWhenTheReportIsWritten(@TempDir Path dir) throws Exception {
    RunSupport.Sink sink = new RunSupport.Sink(dir, SecretScanner.patternsOnly()).warmUpFor(10_000);
    assertThat(sink.warmUp()).isNull(); // nothing before the run waits on the server

    sink.serverBusy();
    ReportWarmup w = sink.warmUp();
    assertThat(w).isNotNull();
    sink.serverBusy();
    assertThat(sink.warmUp()).isSameAs(w); // one warm-up per run

    sink.write(report());

    assertThat(w.awaitEnd(30_000)).isTrue();
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals(ReportWarmup.THREAD) && t.isAlive());
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(sink.written().yaml().getFileName().toString(),
              sink.written().markdown().getFileName().toString());
    }
  }

  /**
   * The run's check sessions are closed while its report is written, on another thread: the report
   * (here: its secret scanner, asked first) waits until they are; on the old code they were closed
   * only after the report and the stdout summary, and the wait ran out.
   */
  @Test
  void theSessionsAreClosedWhileTheReportIsWritten(@TempDir Path dir) throws Exception {
    java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<Thread> closer = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean closedBeforeScan = new java.util.concurrent.atomic.AtomicBoolean();
    AutoCloseable sessions = () -> {
      closer.set(Thread.currentThread());
      closed.countDown();
    };
    RunSupport.Sink sink = new RunSupport.Sink(dir, () -> {
      try {
        closedBeforeScan.compareAndSet(false, closed.await(10, java.util.concurrent.TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return SecretScanner.patternsOnly();
    }, false, null).closingAtWrite(sessions);
    assertThat(closed.getCount()).as("nothing closed before the report").isEqualTo(1);

    sink.write(report());

    assertThat(closedBeforeScan).as("closed while the report was written").isTrue();
    assertThat(closer.get()).isNotNull().isNotSameAs(Thread.currentThread());
    assertThat(closer.get().getName()).isEqualTo("cutter-sessions-close");
  }

  /** Closing the run's sessions a second time (at the end of the verb) closes nothing twice and fails nothing. */
  @Test
  void keptSessionsCloseTwiceQuietly() {
    dev.cutter.core.check.CheckSessions kept = dev.cutter.core.check.CheckSessions.forRun();
    kept.close();
    kept.close();
  }

  @Test
  void noWarmUpForASinkNotToldHowManyStatementsOrOnceItWrote(@TempDir Path dir) {
    RunSupport.Sink none = new RunSupport.Sink(dir, SecretScanner.patternsOnly());
    none.serverBusy();
    assertThat(none.warmUp()).isNull();

    RunSupport.Sink after = new RunSupport.Sink(dir.resolve("after"), SecretScanner.patternsOnly()).warmUpFor(24);
    after.write(report());
    after.serverBusy();
    assertThat(after.warmUp()).isNull();
  }
}
