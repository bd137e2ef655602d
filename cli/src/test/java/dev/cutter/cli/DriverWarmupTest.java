package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The driver's classes initialised ahead of the first connection (the connection itself: VerbGatesTest). */
class DriverWarmupTest {

  @Test
  void everyNamedClassExistsAndIsInitialised() throws Exception {
    assertThat(DriverWarmup.warm()).as("names that no longer load: edit DriverWarmup.CLASSES").isZero();
    Thread t = DriverWarmup.start();
    t.join(30_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(t.isDaemon()).as("never keeps the JVM alive").isTrue();
  }

  /** The signature check's Ed25519 tables are computed by the warm-up, not by the integrity gate's first verification. */
  @Test
  void ed25519sTablesAreComputedBeforeTheIntegrityGateNeedsThem() throws Exception {
    assertThat(DriverWarmup.warm()).isZero();
    for (String table : List.of("PRECOMP_BASE_WNAF", "PRECOMP_BASE128_WNAF", "PRECOMP_BASE_COMB")) {
      Field f = org.bouncycastle.math.ec.rfc8032.Ed25519.class.getDeclaredField(table);
      f.setAccessible(true);
      assertThat(f.get(null)).as(table).isNotNull();
    }
    assertThat(DriverWarmup.INTEGRITY_CLASSES).as("what the gate needs first comes first")
        .startsWith("dev.cutter.core.integrity.IntegrityVerifier");
  }
}
