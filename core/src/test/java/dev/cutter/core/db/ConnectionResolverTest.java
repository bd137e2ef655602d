package dev.cutter.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.CutterException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import dev.cutter.core.db.ConnectionSpec.SslMode;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
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
  void aSocketDirectoryIsReachedThroughItsSocketFileWithoutTlsWhateverSslmodeSays() {
    // libpq reads no TLS file for a Unix socket: verify-full without a root certificate is not refused
    ConnectionSpec s = new ConnectionResolver(Map.of("PGSSLMODE", "verify-full"), home)
        .resolve("postgresql://app@%2Frun%2Fpg/shop?port=6543");
    assertThat(s.host()).isEqualTo("/run/pg");
    assertThat(s.socketFile()).contains(Path.of("/run/pg/.s.PGSQL.6543"));
    assertThat(s.tls()).isEqualTo(ConnectionSpec.Tls.mode(SslMode.VERIFY_FULL));
    assertThat(s.sslModeInForce()).isEqualTo(SslMode.DISABLE);
    assertThat(s.isLocal()).isTrue();
    assertThat(Connections.endpoint(s)).containsExactlyInAnyOrderEntriesOf(Map.of("PGHOST", "localhost", "PGPORT", "6543",
        "PGDBNAME", "shop", "user", "app", "connectTimeout", "10", "sslmode", "disable", "gssEncMode", "disable",
        "socketFactory", "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg",
        "socketFactoryArg", "/run/pg/.s.PGSQL.6543"));

    ConnectionSpec tcp = new ConnectionResolver(Map.of(), home).resolve("postgresql://app@db.example:6543/shop");
    assertThat(tcp.socketFile()).isEmpty();
    assertThat(Connections.endpoint(tcp)).containsEntry("PGHOST", "db.example").containsEntry("sslmode", "prefer")
        .doesNotContainKeys("socketFactory", "socketFactoryArg");
  }

  @Test
  void aServiceEntryOrPghostNamingADirectoryIsASocketDirectory() throws IOException {
    Files.writeString(home.resolve(".pg_service.conf"), "[local]\nhost=/var/run/postgresql\ndbname=app\nuser=ops\n");
    ConnectionSpec fromService = new ConnectionResolver(Map.of(), home).resolve("service=local");
    assertThat(fromService.socketFile()).contains(Path.of("/var/run/postgresql/.s.PGSQL.5432"));
    ConnectionSpec fromEnv = new ConnectionResolver(Map.of("PGHOST", "/tmp", "PGPORT", "5499"), home).resolve(null);
    assertThat(fromEnv.socketFile()).contains(Path.of("/tmp/.s.PGSQL.5499"));
    assertThat(Connections.endpoint(fromEnv)).containsEntry("socketFactoryArg", "/tmp/.s.PGSQL.5499")
        .containsEntry("PGHOST", "localhost");
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

  /** The warnings PassFile logs while {@code action} runs, as "LEVEL message". */
  private static List<String> warnings(Runnable action) {
    Logger log = (Logger) LoggerFactory.getLogger(PassFile.class);
    ListAppender<ILoggingEvent> list = new ListAppender<>();
    list.start();
    log.addAppender(list);
    try {
      action.run();
    } finally {
      log.detachAppender(list);
    }
    return list.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
  }

  private Path passFile(String name, String mode) throws IOException {
    Path pass = Files.writeString(home.resolve(name), "h:5432:*:app:from-the-file-7\n");
    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString(mode));
    return pass;
  }

  @Test
  void aPrivatePassFileNamedByPgpassfileIsUsedWithoutAWord() throws IOException {
    Path pass = passFile("private", "rw-------");
    ConnectionResolver r = new ConnectionResolver(Map.of("PGPASSFILE", pass.toString()), home);
    List<String> warned = warnings(() ->
        assertThat(r.resolve("postgresql://app@h:5432/db").password()).map(ConnectionSpec.Secret::value).contains("from-the-file-7"));
    assertThat(warned).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw-rw-rw-", "rw----r--", "rw---x---", "r-------x"})
  void aPassFileOthersCanAccessIsIgnoredWithLibpqsWarning(String mode) throws IOException {
    Path pass = passFile("open-" + mode, mode);
    ConnectionResolver r = new ConnectionResolver(Map.of("PGPASSFILE", pass.toString()), home);
    List<String> warned = warnings(() -> {
      ConnectionSpec s = r.resolve("postgresql://app@h:5432/db");
      assertThat(s.password()).as("mode %s", mode).isEmpty();
      assertThat(r.passwordFor(s, "app")).isEmpty();
    });
    assertThat(warned).as("one warning per run, however many lookups").containsExactly("WARN password file \"" + pass
        + "\" has group or world access; permissions should be u=rw (0600) or less");
  }

  @Test
  void theHomePassFileOthersCanReadIsIgnoredWithLibpqsWarning() throws IOException {
    Path pass = passFile(".pgpass", "rw-r--r--");
    ConnectionResolver r = new ConnectionResolver(Map.of(), home);
    List<String> warned = warnings(() -> assertThat(r.resolve("postgresql://app@h:5432/db").password()).isEmpty());
    assertThat(warned).containsExactly("WARN password file \"" + pass
        + "\" has group or world access; permissions should be u=rw (0600) or less");
  }

  @Test
  void aDirectoryAtPgpassfileIsIgnoredAsNotAPlainFile() throws IOException {
    Path dir = Files.createDirectory(home.resolve("a-directory"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    ConnectionResolver r = new ConnectionResolver(Map.of("PGPASSFILE", dir.toString()), home);
    List<String> warned = warnings(() -> assertThat(r.resolve("postgresql://app@h:5432/db").password()).isEmpty());
    assertThat(warned).containsExactly("WARN password file \"" + dir + "\" is not a plain file");
  }

  @Test
  void aFifoAtPgpassfileIsIgnoredAsNotAPlainFileWithoutBeingOpened() throws Exception {
    Path fifo = home.resolve("a-fifo");
    Process mk;
    try {
      mk = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).inheritIO().start();
    } catch (IOException e) {
      Assumptions.abort("mkfifo is not available: " + e.getMessage());
      return;
    }
    assertThat(mk.waitFor()).isZero();
    ConnectionResolver r = new ConnectionResolver(Map.of("PGPASSFILE", fifo.toString()), home);
    // opening a FIFO nobody writes to would block: the resolver must decide before reading
    List<String> warned = warnings(() -> assertThat(r.resolve("postgresql://app@h:5432/db").password()).isEmpty());
    assertThat(warned).containsExactly("WARN password file \"" + fifo + "\" is not a plain file");
  }

  @Test
  void aMissingPassFileIsIgnoredWithoutAWord() {
    ConnectionResolver r = new ConnectionResolver(Map.of("PGPASSFILE", home.resolve("none").toString()), home);
    List<String> warned = warnings(() -> assertThat(r.resolve("postgresql://app@h:5432/db").password()).isEmpty());
    assertThat(warned).isEmpty();
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

  /**
   * libpq's passwordFromFile looks up {@code localhost} for the default socket directory only, and
   * for no loopback address: another socket directory and 127.0.0.1 are looked up as they are.
   */
  @Test
  void localhostInThePassFileStandsForTheDefaultSocketDirectoryOnly() throws IOException {
    Path pass = home.resolve(".pgpass");
    Files.writeString(pass, "localhost:5432:*:app:local\n/run/pg:5432:*:app:the-dir\n127.0.0.1:5432:*:app:loopback\n");
    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
    ConnectionResolver r = new ConnectionResolver(Map.of(), home);

    assertThat(password(r, "postgresql://app@%2Fvar%2Frun%2Fpostgresql:5432/db")).as("the default directory").contains("local");
    assertThat(password(r, "postgresql://app@localhost:5432/db")).contains("local");
    assertThat(password(r, "postgresql://app@%2Frun%2Fpg:5432/db")).as("another directory: its own line").contains("the-dir");
    assertThat(password(r, "postgresql://app@%2Fsrv%2Fsockets:5432/db")).as("not localhost's").isEmpty();
    assertThat(password(r, "postgresql://app@%2Fvar%2Frun%2Fpostgresql%2F:5432/db")).as("compared as a string").isEmpty();
    assertThat(password(r, "postgresql://app@127.0.0.1:5432/db")).contains("loopback");
    assertThat(password(r, "postgresql://app@[::1]:5432/db")).as("::1 is not localhost either").isEmpty();

    Files.writeString(pass, "/var/run/postgresql:5432:*:app:named\n");
    assertThat(password(r, "postgresql://app@%2Fvar%2Frun%2Fpostgresql:5432/db"))
        .as("libpq replaces the default directory by localhost: a line naming it does not match").isEmpty();
  }

  /**
   * As libpq's pwdfMatchesString: only a field that is exactly an unescaped {@code *} matches
   * anything; {@code \*} is a star, so such a line is not a password for every host. The password
   * ends at its first unescaped colon.
   */
  @Test
  void anEscapedStarIsALiteralStarAndThePasswordEndsAtItsFirstUnescapedColon() throws IOException {
    Path pass = home.resolve(".pgpass");
    Files.writeString(pass, "\\*:5432:*:app:for-a-host-named-star\n"
        + "h:5432:*:*ops:not-a-wildcard\n"
        + "h:5432:d\\*:app:star-db\n"
        + "h:5432:*:app:pa\\:ss:ignored\n");
    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
    ConnectionResolver r = new ConnectionResolver(Map.of(), home);

    assertThat(password(r, "postgresql://app@other:5432/db")).as("\\* names a host called *").isEmpty();
    assertThat(password(r, "postgresql://app@h:5432/d*")).contains("star-db");
    assertThat(password(r, "postgresql://app@h:5432/db")).as("ends at the unescaped colon").contains("pa:ss");
    assertThat(password(r, "postgresql://xops@h:5432/db")).as("*ops is no pattern").isEmpty();
    assertThat(PassFile.entry("*:*:*:*:pw", List.of("a", "1", "b", "c"))).contains("pw");
    assertThat(PassFile.entry("a:1:b:c", List.of("a", "1", "b", "c"))).as("no password field").isEmpty();
  }

  private static java.util.Optional<String> password(ConnectionResolver r, String target) {
    return r.resolve(target).password().map(ConnectionSpec.Secret::value);
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

  @Test
  void readsTheSslModeOfTheUriInsteadOfDroppingIt() {
    ConnectionSpec s = new ConnectionResolver(Map.of(), home).resolve("postgresql://app@db.example/shop?sslmode=require");
    assertThat(s.tls().mode()).isEqualTo(SslMode.REQUIRE);
    assertThat(s.tls().verifiesServer()).as("require without a root certificate does not verify, as in libpq").isFalse();
  }

  @Test
  void defaultsToPreferAsLibpqDoes() {
    ConnectionSpec s = new ConnectionResolver(Map.of(), home).resolve("postgresql://app@db.example/shop");
    assertThat(s.tls().mode()).isEqualTo(SslMode.PREFER);
    assertThat(s.connectTimeoutSeconds()).isEqualTo(ConnectionSpec.DEFAULT_CONNECT_TIMEOUT);
  }

  @Test
  void refusesAnUnknownParameterInsteadOfDroppingIt() {
    ConnectionResolver r = new ConnectionResolver(Map.of(), home);
    assertThatThrownBy(() -> r.resolve("postgresql://app@h/db?sslmod=verify-full"))
        .isInstanceOf(CutterException.class)
        .hasMessageContaining("unknown connection parameter 'sslmod'")
        .satisfies(e -> assertThat(((CutterException) e).exitCode()).isEqualTo(2));
    assertThatThrownBy(() -> r.resolve("host=h hostaddr=10.0.0.9"))
        .hasMessageContaining("unknown connection parameter 'hostaddr'");
    assertThatThrownBy(() -> r.resolve("postgresql://h/db?options=-crole%3Dpostgres"))
        .hasMessageContaining("'options' is refused");
    assertThatThrownBy(() -> r.resolve("postgresql://h/db?sslmode=verify-fool"))
        .hasMessageContaining("sslmode 'verify-fool' is not one of");
    assertThatThrownBy(() -> new ConnectionResolver(Map.of("PGSSLMODE", "on"), home).resolve("host=h"))
        .hasMessageContaining("sslmode 'on'");
  }

  @Test
  void verifyFullNeedsARootCertificate() {
    assertThatThrownBy(() -> new ConnectionResolver(Map.of(), home).resolve("postgresql://h/db?sslmode=verify-full"))
        .hasMessageContaining("needs a root certificate");
    assertThatThrownBy(() -> new ConnectionResolver(Map.of(), home)
        .resolve("postgresql://h/db?sslmode=verify-full&sslrootcert=" + home.resolve("absent.crt")))
        .hasMessageContaining("does not exist");
  }

  @Test
  void takesTlsSettingsFromTargetThenServiceThenEnvironment() throws IOException {
    Path ca = Files.writeString(home.resolve("ca.crt"), "x");
    Path other = Files.writeString(home.resolve("other.crt"), "x");
    Files.writeString(home.resolve(".pg_service.conf"), "[prod]\nhost=p1\nsslmode=verify-ca\nsslrootcert=" + ca
        + "\nconnect_timeout=7\n");
    Map<String, String> env = Map.of("PGSSLMODE", "disable", "PGSSLROOTCERT", other.toString());
    ConnectionSpec fromService = new ConnectionResolver(env, home).resolve("service=prod");
    assertThat(fromService.tls().mode()).as("the service beats the environment").isEqualTo(SslMode.VERIFY_CA);
    assertThat(fromService.tls().rootCert()).contains(ca);
    assertThat(fromService.connectTimeoutSeconds()).isEqualTo(7);
    ConnectionSpec fromTarget = new ConnectionResolver(env, home).resolve("service=prod sslmode=verify-full");
    assertThat(fromTarget.tls().mode()).as("the target beats the service").isEqualTo(SslMode.VERIFY_FULL);
    ConnectionSpec fromEnv = new ConnectionResolver(Map.of("PGSSLMODE", "verify-ca", "PGSSLROOTCERT", other.toString(),
        "PGCONNECT_TIMEOUT", "1"), home).resolve("host=h");
    assertThat(fromEnv.tls().mode()).isEqualTo(SslMode.VERIFY_CA);
    assertThat(fromEnv.tls().rootCert()).contains(other);
    assertThat(fromEnv.connectTimeoutSeconds()).as("libpq waits at least 2 s").isEqualTo(2);
  }

  @Test
  void requireWithARootCertificateVerifiesAsLibpqDoes() throws IOException {
    Files.createDirectories(home.resolve(".postgresql"));
    Files.writeString(home.resolve(".postgresql/root.crt"), "x");
    ConnectionSpec s = new ConnectionResolver(Map.of(), home).resolve("postgresql://h/db?sslmode=require");
    assertThat(s.tls().effectiveMode()).isEqualTo(SslMode.VERIFY_CA);
    assertThat(Connections.endpoint(s)).containsEntry("sslmode", "verify-ca")
        .containsEntry("sslrootcert", home.resolve(".postgresql/root.crt").toString());
  }

  @Test
  void takesSslPasswordOnlyFromAPrivateServiceFile() throws IOException {
    ConnectionResolver r = new ConnectionResolver(Map.of(), home);
    assertThatThrownBy(() -> r.resolve("postgresql://h/db?sslpassword=k3y-Secret"))
        .hasMessageContaining("process list").hasMessageNotContaining("k3y-Secret");
    Path svc = Files.writeString(home.resolve(".pg_service.conf"), "[s]\nhost=h\nsslpassword=k3y-Secret\n");
    Files.setPosixFilePermissions(svc, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> r.resolve("service=s")).hasMessageContaining("chmod 600").hasMessageNotContaining("k3y-Secret");
    Files.setPosixFilePermissions(svc, PosixFilePermissions.fromString("rw-------"));
    ConnectionSpec s = r.resolve("service=s");
    assertThat(s.tls().keyPassword()).map(ConnectionSpec.Secret::value).contains("k3y-Secret");
    assertThat(s.toString()).doesNotContain("k3y-Secret");
    assertThat(Connections.endpoint(s).values()).doesNotContain("k3y-Secret");
  }

  @Test
  void refusesAnUnknownKeyInTheServiceFile() throws IOException {
    Files.writeString(home.resolve(".pg_service.conf"), "[s]\nhost=h\nhostaddr=10.1.1.1\n");
    assertThatThrownBy(() -> new ConnectionResolver(Map.of(), home).resolve("service=s"))
        .hasMessageContaining("service 's'").hasMessageContaining("unknown connection parameter 'hostaddr'");
  }

  @Test
  void refusesAClientKeyOthersCanRead() throws IOException {
    Path cert = Files.writeString(home.resolve("c.crt"), "x");
    Path key = Files.writeString(home.resolve("c.key"), "x");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> new ConnectionResolver(Map.of("PGSSLCERT", cert.toString(), "PGSSLKEY", key.toString()), home)
        .resolve("host=h")).hasMessageContaining("group or world access");
  }

  @Test
  void keepsADatabaseNameWithUrlSyntaxAsData() {
    ConnectionSpec s = new ConnectionResolver(Map.of(), home).resolve("postgresql://app@h/a%3Fsslmode%3Ddisable");
    assertThat(s.database()).isEqualTo("a?sslmode=disable");
    assertThat(s.tls().mode()).isEqualTo(SslMode.PREFER);
    assertThat(Connections.properties(s, "t").getProperty("PGDBNAME")).isEqualTo("a?sslmode=disable");
    assertThat(s.jdbcUrl()).as("nothing from the spec is in the URL").isEqualTo("jdbc:postgresql:");
  }
}
