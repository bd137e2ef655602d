package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiryOptionTest {

  static final Instant NOW = Instant.parse("2026-05-18T05:00:00Z");

  @Test
  void readsShortDurationsIsoPeriodsDatesAndInstants() {
    assertThat(ExpiryOption.parse("90d", NOW)).isEqualTo("2026-08-16T05:00:00Z");
    assertThat(ExpiryOption.parse("2y", NOW)).isEqualTo("2028-05-18T05:00:00Z");
    assertThat(ExpiryOption.parse("12h", NOW)).isEqualTo("2026-05-18T17:00:00Z");
    assertThat(ExpiryOption.parse("30s", NOW)).isEqualTo("2026-05-18T05:00:30Z");
    assertThat(ExpiryOption.parse("P1Y6M", NOW)).isEqualTo("2027-11-18T05:00:00Z");
    assertThat(ExpiryOption.parse("PT36H", NOW)).isEqualTo("2026-05-19T17:00:00Z");
    assertThat(ExpiryOption.parse("2027-01-31", NOW)).isEqualTo("2027-01-31T00:00:00Z");
    assertThat(ExpiryOption.parse("2027-01-31T12:00:00Z", NOW)).isEqualTo("2027-01-31T12:00:00Z");
  }

  @Test
  void refusesAnythingElseSayingWhatItAccepts() {
    assertThatThrownBy(() -> ExpiryOption.parse("soon", NOW)).hasMessageContaining("'soon' is neither a duration");
  }
}
