package dev.cutter.core.blockers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
