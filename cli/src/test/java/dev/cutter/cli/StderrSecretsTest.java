package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** What cutter prints on stderr passes the secret scanner, even when it echoes an argument. */
class StderrSecretsTest {

  @Test
  void aRejectedArgumentIsEchoedMasked() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
        "report", "render", "r.yaml", "--format", "postgresql://deploy:pw-on-cmdline-31@db/ledger");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("postgresql://deploy:****@db/ledger").doesNotContain("pw-on-cmdline-31");
  }

  @Test
  void anErrorMessageNamingAPathWithAPasswordIsMasked() {
    StringWriter err = new StringWriter();

    int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
        "report", "render", "PGPASSWORD=pw-in-a-path-42.yaml");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("PGPASSWORD=****").doesNotContain("pw-in-a-path-42");
  }
}
