package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
}
