package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunIdsTest {

  @Test
  void formatsTheUtcSecondAndFourHexDigits() {
    Clock clock = Clock.fixed(Instant.parse("2026-05-18T05:46:09.750Z"), ZoneId.of("Asia/Tokyo"));

    String id = RunIds.next(clock, new Random(1));

    assertThat(id).as("UTC, whatever the clock's zone").startsWith("20260518T054609Z-");
    assertThat(RunIds.isValid(id)).isTrue();
  }

  @Test
  void sortsByTime() {
    List<String> ids = new ArrayList<>();
    Random random = new Random(7);
    for (String t : List.of("2026-05-18T05:46:09Z", "2026-05-18T05:46:10Z", "2026-11-01T00:00:00Z", "2027-01-01T00:00:00Z")) {
      ids.add(RunIds.next(Clock.fixed(Instant.parse(t), ZoneId.of("UTC")), random));
    }

    assertThat(ids).isSortedAccordingTo(String::compareTo);
  }

  @Test
  void rejectsIdsOfAnotherShape() {
    assertThat(RunIds.isValid("20260518T054609Z-3f2a")).isTrue();
    assertThat(RunIds.isValid("20260518T054609Z-3F2A")).as("lower-case hex only").isFalse();
    assertThat(RunIds.isValid("../20260518T054609Z-3f2a")).isFalse();
    assertThat(RunIds.isValid(null)).isFalse();
  }
}
