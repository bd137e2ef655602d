package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.core.db.ConnectionSpec.SslMode;
import dev.cutter.core.db.ConnectionSpec.Tls;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The client key's passphrase is a secret the scanner knows, like the connection password. */
class RunSupportSecretsTest {

  @Test
  void masksTheSslPasswordOfTheTarget() {
    Tls tls = new Tls(SslMode.VERIFY_FULL, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.of(new Secret("Kp-7c1e-passphrase")));
    ConnectionSpec login = new ConnectionSpec("db.example", 5432, "app", "ops", Optional.empty(), tls, 10);

    String masked = RunSupport.scanner(login).mask("error: bad decrypt with Kp-7c1e-passphrase in sight");

    assertThat(masked).doesNotContain("Kp-7c1e-passphrase");
  }
}
