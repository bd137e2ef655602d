package dev.cutter.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.CutterException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionResolverTest {

  @TempDir Path home;

  @Test
  void readsUriParts() {
    ConnectionSpec s = new ConnectionResolver(Map.of(), home).resolve("postgresql://app@db.example:6543/shop?sslmode=require");
    assertThat(s.host()).isEqualTo("db.example");
    assertThat(s.port()).isEqualTo(6543);
    assertThat(s.user()).isEqualTo("app");
    assertThat(s.database()).isEqualTo("shop");
    assertThat(s.password()).isEmpty();
  }

  @Test
  void fallsBackToTheLibpqEnvironment() {
    ConnectionSpec s = new ConnectionResolver(
        Map.of("PGHOST", "h1", "PGPORT", "5433", "PGUSER", "u1", "PGDATABASE", "d1", "PGPASSWORD", "s3cret"), home)
        .resolve(null);
    assertThat(s.display()).isEqualTo("postgresql://u1@h1:5433/d1");
    assertThat(s.password()).map(ConnectionSpec.Secret::value).contains("s3cret");
    assertThat(s.toString()).doesNotContain("s3cret");
  }

  @Test
  void refusesAPasswordInTheTarget() {
    ConnectionResolver r = new ConnectionResolver(Map.of(), home);
    assertThatThrownBy(() -> r.resolve("postgresql://app:hunter2@h/db"))
        .isInstanceOf(CutterException.class)
        .hasMessageContaining("PGPASSWORD")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> r.resolve("host=h password=hunter2"))
        .isInstanceOf(CutterException.class)
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void findsThePasswordInAPrivatePassFileOnly() throws IOException {
    Path pass = home.resolve(".pgpass");
    Files.writeString(pass, "# comment\nother:5432:*:app:nope\nh:5432:*:app:pa\\:ss\n");
    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
    ConnectionResolver r = new ConnectionResolver(Map.of(), home);
    assertThat(r.resolve("postgresql://app@h:5432/db").password()).map(ConnectionSpec.Secret::value).contains("pa:ss");
    assertThat(r.passwordFor(r.resolve("postgresql://app@h:5432/db"), "backup")).isEmpty();

    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(r.resolve("postgresql://app@h:5432/db").password()).as("a readable password file is ignored, as libpq does").isEmpty();
  }

  @Test
  void resolvesAServiceFromTheServiceFile() throws IOException {
    Files.writeString(home.resolve(".pg_service.conf"), "[prod]\nhost=p1\nport=5444\ndbname=main\nuser=ops\n[other]\nhost=x\n");
    ConnectionSpec s = new ConnectionResolver(Map.of(), home).resolve("service=prod");
    assertThat(s.display()).isEqualTo("postgresql://ops@p1:5444/main");
  }

  @Test
  void namesAMissingService() {
    assertThatThrownBy(() -> new ConnectionResolver(Map.of(), home).resolve("service=nope"))
        .isInstanceOf(CutterException.class)
        .hasMessageContaining("service 'nope' not found");
  }

  @Test
  void rejectsABadPort() {
    assertThatThrownBy(() -> new ConnectionResolver(Map.of("PGPORT", "99999"), home).resolve(null))
        .hasMessageContaining("port must be 1 to 65535");
  }
}
