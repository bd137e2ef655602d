package dev.cutter.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.CutterException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host when none is given: libpq's default socket directory, with or without the port's socket
 * file, never localhost over TCP; and the hosts cutter refuses (a list, the abstract namespace).
 */
class TargetHostTest {

  @TempDir Path home;
  @TempDir Path sockets;

  private ServerSocketChannel listening;

  @AfterEach
  void close() throws IOException {
    if (listening != null) {
      listening.close();
    }
  }

  /** A real Unix-domain socket file {@code .s.PGSQL.<port>} in {@link #sockets} (nothing answers on it). */
  private Path socketFile(int port) throws IOException {
    Path file = sockets.resolve(".s.PGSQL." + port);
    listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    listening.bind(UnixDomainSocketAddress.of(file));
    return file;
  }

  private ConnectionResolver resolver(Map<String, String> env) {
    return new ConnectionResolver(env, home, sockets);
  }

  @Test
  void noHostIsTheDefaultDirectoryWithOrWithoutItsSocketFileNeverLocalhost() {
    assertThat(TargetHost.choose(null, Path.of("/d"))).isEqualTo("/d");
    assertThat(TargetHost.choose("", Path.of("/d"))).isEqualTo("/d");
    assertThat(TargetHost.choose(" ", Path.of("/d/"))).isEqualTo("/d");
    assertThat(TargetHost.choose("localhost", Path.of("/d"))).as("a host given is kept, localhost too").isEqualTo("localhost");
    assertThat(TargetHost.choose("/run/pg", Path.of("/d"))).isEqualTo("/run/pg");
  }

  @Test
  void aListOfHostsAndTheAbstractNamespaceAreRefusedInOneLine() {
    assertThatThrownBy(() -> TargetHost.check("/run/a,/run/b")).isInstanceOf(CutterException.class)
        .hasMessage("target: several hosts (/run/a,/run/b) are not supported: name the one primary to change (in "
            + "--target, the service entry or PGHOST)");
    assertThatThrownBy(() -> TargetHost.check("@pg")).isInstanceOf(CutterException.class)
        .hasMessage("target: host @pg names a Unix socket in the abstract namespace, which cutter cannot open: name a "
            + "socket directory (an absolute path) or a host");
    assertThat(TargetHost.check("/run/pg")).isEqualTo("/run/pg");
    assertThat(TargetHost.check("db.example")).isEqualTo("db.example");
  }

  @Test
  void theDefaultDirectoryIsDebiansUnlessThePropertyNamesAnAbsoluteOne() {
    assertThat(TargetHost.defaultSocketDirectory(null)).isEqualTo(Path.of("/var/run/postgresql"));
    assertThat(TargetHost.defaultSocketDirectory("")).isEqualTo(Path.of("/var/run/postgresql"));
    assertThat(TargetHost.defaultSocketDirectory("/tmp/")).isEqualTo(Path.of("/tmp"));
    assertThatThrownBy(() -> TargetHost.defaultSocketDirectory("tmp")).isInstanceOf(CutterException.class)
        .hasMessage("cutter.default-socket-dir must be an absolute directory, not 'tmp'");
    assertThat(new ConnectionResolver(Map.of(), home).defaultSocketDirectory()).isEqualTo(Path.of("/var/run/postgresql"));
  }

  @Test
  void withoutAHostTheResolverTakesTheDefaultSocketDirectoryAsLibpqDoes() throws IOException {
    Path socket = socketFile(5432);
    for (String target : new String[] {null, "", "dbname=shop host=", "postgresql://app@/shop", "postgresql:///shop?host="}) {
      ConnectionSpec s = resolver(Map.of()).resolve(target);
      assertThat(s.host()).as(String.valueOf(target)).isEqualTo(sockets.toString());
      assertThat(s.socketFile()).as(String.valueOf(target)).contains(socket);
      assertThat(s.sslModeInForce()).isEqualTo(ConnectionSpec.SslMode.DISABLE);
      assertThat(Connections.endpoint(s)).containsEntry("socketFactoryArg", socket.toString());
    }
    assertThat(resolver(Map.of("PGHOST", "")).resolve(null).host()).as("an empty PGHOST is no host").isEqualTo(sockets.toString());
    assertThat(resolver(Map.of("PGHOST", "localhost")).resolve(null).host()).as("localhost named is TCP")
        .isEqualTo("localhost");
  }

  /**
   * Without the socket file for the port, libpq still takes the default directory and fails there;
   * so does cutter, never {@code localhost} over TCP, where a local user could listen on a port the
   * server does not hold and ask for the password in clear (threat L23).
   */
  @Test
  void withoutTheSocketFileForThePortItIsStillTheDefaultDirectoryNeverTcp() throws IOException {
    socketFile(5432);
    ConnectionSpec other = resolver(Map.of("PGPORT", "5433")).resolve(null);
    assertThat(other.host()).isEqualTo(sockets.toString());
    assertThat(other.socketFile()).contains(sockets.resolve(".s.PGSQL.5433"));
    assertThat(Connections.endpoint(other)).as("the driver opens the socket file, whatever host name it holds")
        .containsEntry("PGPORT", "5433").containsEntry("socketFactoryArg", sockets.resolve(".s.PGSQL.5433").toString());
    Path none = sockets.resolve("none");
    assertThat(new ConnectionResolver(Map.of(), home, none).resolve("dbname=shop").host()).isEqualTo(none.toString());
  }

  @Test
  void aHostListOrAnAbstractSocketIsRefusedFromEverySource() throws IOException {
    Files.writeString(home.resolve(".pg_service.conf"), "[two]\nhost=a,b\n[abstract]\nhost=@pg\n");
    for (Map.Entry<String, Map<String, String>> c : Map.of("postgresql://app@a,b/shop", Map.<String, String>of(),
        "host=a,b", Map.<String, String>of(), "", Map.of("PGHOST", "/run/a,/run/b"), "service=two",
        Map.<String, String>of()).entrySet()) {
      assertThatThrownBy(() -> resolver(c.getValue()).resolve(c.getKey())).as(c.getKey())
          .isInstanceOf(CutterException.class).hasMessageContaining("several hosts (");
    }
    for (Map.Entry<String, Map<String, String>> c : Map.of("postgresql://app@/shop?host=%40pg", Map.<String, String>of(),
        "host=@pg", Map.<String, String>of(), "", Map.of("PGHOST", "@pg")).entrySet()) {
      assertThatThrownBy(() -> resolver(c.getValue()).resolve(c.getKey())).as(c.getKey())
          .isInstanceOf(CutterException.class).hasMessage("target: host @pg names a Unix socket in the abstract "
              + "namespace, which cutter cannot open: name a socket directory (an absolute path) or a host");
    }
    assertThatThrownBy(() -> resolver(Map.of()).resolve("service=abstract")).isInstanceOf(CutterException.class)
        .hasMessage(home.resolve(".pg_service.conf") + ": service 'abstract': host @pg names a Unix socket in the "
            + "abstract namespace, which cutter cannot open: name a socket directory (an absolute path) or a host");
  }

  /**
   * The password file's {@code localhost} stands for the resolver's default socket directory, the
   * one a target without a host is looked for in: with or without the socket file, a target
   * without a host finds the {@code localhost} line, as psql does, and goes to that directory.
   */
  @Test
  void thePasswordFilesLocalhostIsTheDefaultDirectoryChosenForNoHost() throws IOException {
    Path pass = Files.writeString(home.resolve(".pgpass"), "localhost:5432:*:app:local-7\n" + sockets + ":5433:*:app:dir-8\n");
    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));

    ConnectionSpec noSocket = resolver(Map.of()).resolve("user=app dbname=shop");
    assertThat(noSocket.host()).isEqualTo(sockets.toString());
    assertThat(noSocket.password()).map(ConnectionSpec.Secret::value).contains("local-7");

    socketFile(5432);
    ConnectionSpec socket = resolver(Map.of()).resolve("user=app dbname=shop");
    assertThat(socket.host()).isEqualTo(sockets.toString());
    assertThat(socket.password()).map(ConnectionSpec.Secret::value).contains("local-7");
    assertThat(socket.passwordSearch().fileHost()).isEqualTo("localhost");
    assertThat(resolver(Map.of()).passwordFor(socket, "app")).as("another role's login on the same server")
        .map(ConnectionSpec.Secret::value).contains("local-7");

    ConnectionSpec named = resolver(Map.of()).resolve("user=app dbname=shop port=5433 host=" + sockets);
    assertThat(named.password()).as("libpq looks up localhost for the default directory, not its path").isEmpty();
    assertThat(named.passwordSearch().describe(named)).endsWith("has no line for localhost:5433:shop:app");
    ConnectionSpec elsewhere = new ConnectionResolver(Map.of(), home).resolve("user=app dbname=shop port=5433 host=" + sockets);
    assertThat(elsewhere.password()).as("not the default directory: its own line")
        .map(ConnectionSpec.Secret::value).contains("dir-8");
  }
}
