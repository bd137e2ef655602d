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

  /** Runs the warm-up alone in a fresh JVM (the child of the test below). */
  public static final class Alone {
    private Alone() {}

    public static void main(String[] args) throws Exception {
      DriverWarmup.start().join(60_000);
    }
  }

  /**
   * In a fresh JVM the warm-up thread, not the main thread, reads the JDK's security providers (the
   * package load's first SHA-256 digest would) before Bouncy Castle's classes: the class-loading
   * log's thread ids say who loaded what.
   */
  @Test
  void theSecurityProvidersAreReadByTheWarmUpThreadFirst(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path log = dir.resolve("classes.log");
    Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:off", "-Xlog:class+load=info:file=" + log + ":tid", "-cp", System.getProperty("java.class.path"),
        Alone.class.getName()).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
    assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(java.nio.file.Files.readString(dir.resolve("out.txt"))).isZero();
    java.util.Map<String, String> tid = new java.util.HashMap<>();
    List<String> order = new java.util.ArrayList<>();
    java.util.regex.Pattern line = java.util.regex.Pattern.compile("^\\[(\\d+)\\] (\\S+) ");
    for (String l : java.nio.file.Files.readAllLines(log)) {
      java.util.regex.Matcher m = line.matcher(l);
      if (m.find()) {
        tid.putIfAbsent(m.group(2), m.group(1));
        order.add(m.group(2));
      }
    }
    String main = tid.get(Alone.class.getName());
    String warm = tid.get("dev.cutter.core.integrity.IntegrityVerifier");
    assertThat(main).isNotNull();
    assertThat(warm).as("the warm-up's thread").isNotNull().isNotEqualTo(main);
    assertThat(tid).as("the provider list, read by the warm-up").containsEntry("sun.security.jca.ProviderList", warm)
        .containsEntry("sun.security.provider.Sun", warm);
    assertThat(order.indexOf("sun.security.jca.ProviderList")).as("before the integrity classes")
        .isLessThan(order.indexOf("dev.cutter.core.integrity.IntegrityVerifier"));
  }
}

