package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import org.junit.jupiter.api.Test;

class ModelAheadTest {

  @Test
  void onlyApplyWithAnArgumentStartsARead() throws Exception {
    assertThat(ModelAhead.startFor("preflight", "pkg")).isNull();
    assertThat(ModelAhead.startFor("apply")).isNull();
    assertThat(ModelAhead.startFor()).isNull();
    Thread t = ModelAhead.startFor("apply", "pkg");
    assertThat(t).isNotNull();
    assertThat(t.isDaemon()).isTrue();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
  }

  @Test
  void theReadReachesTheMixinsPicocliReads() {
    HashSet<Class<?>> seen = new HashSet<>();
    int annotations = ModelAhead.read(ApplyCommand.class, seen);
    assertThat(seen).contains(ApplyCommand.class, ConnectionOptions.class, ReportOptions.class, TrustOptions.class,
        PackageArgument.class);
    assertThat(annotations).isGreaterThan(10);
  }

  @Test
  void theCommandLineIsTheSameWithTheReadAhead() throws Exception {
    Thread t = ModelAhead.startFor("apply", "pkg");
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int exit = Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "apply", "--help");
    t.join(10_000);
    java.io.StringWriter out2 = new java.io.StringWriter();
    int exit2 = Main.run(new java.io.PrintWriter(out2, true), new java.io.PrintWriter(new java.io.StringWriter(), true),
        "apply", "--help");
    assertThat(exit).isEqualTo(0);
    assertThat(exit2).isEqualTo(0);
    assertThat(out.toString()).contains("--target").isEqualTo(out2.toString());
  }
}
