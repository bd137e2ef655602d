package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SourceCountTest {

  @Test
  void aCountNeverStartedIsCancelledBySettleAndNeverRuns() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    SourceCount count = new SourceCount(() -> {
      runs.incrementAndGet();
      return null;
    });

    count.settle();
    count.start(); // too late: settled

    Thread.sleep(50);
    assertThat(runs.get()).isZero();
    assertThat(count.started()).isTrue();
  }

  @Test
  void startingTwiceReadsOnceAndSettleWaitsForTheReading() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    SourceCount count = new SourceCount(() -> {
      runs.incrementAndGet();
      release.await();
      return null;
    });

    count.start();
    count.start();
    Thread settler = new Thread(count::settle);
    settler.start();
    settler.join(200);
    assertThat(settler.isAlive()).as("settle waits for a reading under way").isTrue();
    release.countDown();
    settler.join(5000);

    assertThat(settler.isAlive()).isFalse();
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  void aFailedReadingIsItsSqlException() {
    SQLException cause = new SQLException("permission denied for table t", "42501");
    SourceCount count = new SourceCount(() -> {
      throw cause;
    });

    assertThatThrownBy(count::get).isSameAs(cause);
  }
}
