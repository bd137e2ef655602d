package dev.cutter.core.blockers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.DbErrors;
import dev.cutter.core.exec.ApplyEngine;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  @Test
  void onlyLockNotAvailableIsRetried() {
    assertThat(RetryPolicy.retryable("55P03")).isTrue();
    assertThat(RetryPolicy.retryable("42501")).isFalse();
    assertThat(RetryPolicy.retryable("23505")).isFalse();
    assertThat(RetryPolicy.retryable("40P01")).as("a deadlock is not a lock timeout").isFalse();
    assertThat(RetryPolicy.retryable(null)).isFalse();
  }

  private static ApplyEngine.Outcome ended(ApplyEngine.Ending ending, String sqlstate) {
    DbErrors.ServerError e = sqlstate == null ? null
        : new DbErrors.ServerError(sqlstate, "canceling statement due to lock timeout", null, null, null, 0, null, null, null, null, null);
    return new ApplyEngine.Outcome(ending, 2, 0, List.of(), e == null ? null : 1, e == null ? null : 1, e);
  }

  @Test
  void aLockTimeoutIsRetriedOnlyWhenItLeftTheTargetUnchanged() {
    assertThat(RetryPolicy.lockTimeout(ended(ApplyEngine.Ending.ROLLED_BACK, "55P03"), null, true)).isTrue();
    assertThat(RetryPolicy.lockTimeout(ended(ApplyEngine.Ending.REFUSED, null), "55P03", true))
        .as("LOCK TABLE at BEGIN ran into lock_timeout").isTrue();
    assertThat(RetryPolicy.lockTimeout(ended(ApplyEngine.Ending.REFUSED, null), "55P03", false))
        .as("at BEGIN nothing ran, in autocommit mode too").isTrue();
    assertThat(RetryPolicy.lockTimeout(ended(ApplyEngine.Ending.REFUSED, null), null, true))
        .as("refused by another re-check (the catalog changed)").isFalse();
    assertThat(RetryPolicy.lockTimeout(ended(ApplyEngine.Ending.ROLLED_BACK, "55P03"), null, false))
        .as("autocommit: the journal row already committed").isFalse();
    assertThat(RetryPolicy.lockTimeout(ended(ApplyEngine.Ending.PARTIALLY_COMMITTED, "55P03"), null, false)).isFalse();
    assertThat(RetryPolicy.lockTimeout(ended(ApplyEngine.Ending.CONNECTION_LOST, "55P03"), null, true)).isFalse();
    assertThat(RetryPolicy.lockTimeout(ended(ApplyEngine.Ending.ROLLED_BACK, "23505"), "55P03", true)).isFalse();
  }

  @Test
  void theBackoffDoublesAndIsJitteredBetweenHalfAndOneAndAHalfTimes() {
    RandomGenerator low = fixed(0.0);
    RandomGenerator high = fixed(0.999);
    Duration wait = Duration.ofSeconds(2);
    assertThat(RetryPolicy.backoff(wait, 1, low)).isEqualTo(Duration.ofMillis(1000));
    assertThat(RetryPolicy.backoff(wait, 1, high)).isEqualTo(Duration.ofMillis(2998));
    assertThat(RetryPolicy.backoff(wait, 3, low)).isEqualTo(Duration.ofMillis(4000));
    assertThat(RetryPolicy.backoff(wait, 30, high)).isEqualTo(RetryPolicy.MAX_WAIT);
  }

  private static RandomGenerator fixed(double d) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0;
      }

      @Override
      public double nextDouble() {
        return d;
      }
    };
  }
}
