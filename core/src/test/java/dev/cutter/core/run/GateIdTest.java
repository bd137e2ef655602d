package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every gate id string of {@link GateIds} is a {@link GateId}, and back: the report's ids stay as they were. */
class GateIdTest {

  @Test
  void everyGateIdsConstantNamesAGateIdOfTheSameString() throws IllegalAccessException {
    for (Field f : GateIds.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        String id = (String) f.get(null);
        assertThat(GateId.of(id).id()).as(f.getName()).isEqualTo(id);
      }
    }
  }

  @Test
  void theApplyOrderIsTheEnumsOrderWithoutIdentityJournalAndOnline() {
    // identity and journal are gates of the other verbs; online is listed only when a package has the step
    List<String> order = Arrays.stream(GateId.values())
        .filter(g -> g != GateId.IDENTITY && g != GateId.JOURNAL && g != GateId.ONLINE)
        .map(GateId::id).toList();
    assertThat(order).isEqualTo(GateIds.APPLY_ORDER);
  }

  @Test
  void anUnknownIdIsRefusedNamingWhatToAdd() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GateId.of("P4_not_a_gate"))
        .hasMessageContaining("add it to GateId");
  }
}
