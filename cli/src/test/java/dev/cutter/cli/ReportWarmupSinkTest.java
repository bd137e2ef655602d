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
