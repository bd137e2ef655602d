package dev.cutter.core.sql;

import dev.cutter.fixtures.EmbeddedPostgresServer;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real psql client ({@code psql -X -q -f script}, no ON_ERROR_STOP) through a TCP
 * relay that records the text of every simple-protocol Query message psql sends: exactly what
 * the server received, also for statements the server cannot parse.
 */
final class PsqlCapture {

  private static final int SSL_REQUEST = 80877103;
  private static final int GSSENC_REQUEST = 80877104;

  private PsqlCapture() {}

  /** Fails the test with a clear message unless psql 15 is on PATH. */
  static void requirePsql15() {
    String version;
    try {
      Process p = new ProcessBuilder("psql", "--version").redirectErrorStream(true).start();
      version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new AssertionError("psql is not on PATH: the differential test needs the PostgreSQL 15 client"
          + " (Debian/Ubuntu: apt-get install postgresql-client-15)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while asking psql for its version", e);
    }
    if (!version.matches("(?s)psql \\(PostgreSQL\\) 15\\..*")) {
      throw new AssertionError("the splitter follows psql 15, but PATH has: " + version);
    }
  }

  /**
   * One Query message psql sent, and for a COPY … FROM STDIN the bytes of every CopyData message
   * that followed it, concatenated (null when none did).
   */
  record Sent(String query, byte[] copyData) {}

  /** The queries psql sent to {@code database} while running {@code script}. */
  static List<String> queriesSentBy(Path script, EmbeddedPostgresServer server, String database) throws Exception {
    return sentBy(script, server, database).stream().map(Sent::query).toList();
  }

  /** The queries psql sent to {@code database} while running {@code script}, with their COPY data. */
  static List<Sent> sentBy(Path script, EmbeddedPostgresServer server, String database) throws Exception {
    List<Sent> queries = Collections.synchronizedList(new ArrayList<>());
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread relay = new Thread(() -> relayOne(listener, server, queries), "psql-capture");
      relay.setDaemon(true);
      relay.start();
      ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-q", "-h", "127.0.0.1", "-p", String.valueOf(listener.getLocalPort()),
          "-U", server.superuser(), "-d", database, "-f", script.toString())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD);
      Map<String, String> env = pb.environment();
      env.keySet().removeIf(k -> k.startsWith("PG"));
      env.put("PGSSLMODE", "disable");
      env.put("PGGSSENCMODE", "disable");
      env.put("PGCLIENTENCODING", "UTF8");
      Process psql = pb.start();
      if (!psql.waitFor(120, TimeUnit.SECONDS)) {
        psql.destroyForcibly();
        throw new AssertionError("psql did not finish " + script + " within 120 s");
      }
      relay.join(TimeUnit.SECONDS.toMillis(30));
    }
    return List.copyOf(queries);
  }

  private static void relayOne(ServerSocket listener, EmbeddedPostgresServer server, List<Sent> queries) {
    try (Socket client = listener.accept(); Socket backend = new Socket(server.host(), server.port())) {
      Thread back = new Thread(() -> copy(backend, client), "psql-capture-back");
      back.setDaemon(true);
      back.start();
      recordQueries(new DataInputStream(new BufferedInputStream(client.getInputStream())), backend.getOutputStream(), queries);
      back.join(TimeUnit.SECONDS.toMillis(30));
    } catch (IOException e) {
      // psql closed the connection: what was recorded stands
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Forwards the frontend's messages to the server, keeping the text of each Query ('Q') and the CopyData ('d') after it. */
  private static void recordQueries(DataInputStream in, OutputStream out, List<Sent> queries) throws IOException {
    int code;
    do {
      int len = in.readInt();
      byte[] body = new byte[len - 4];
      in.readFully(body);
      code = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8) | (body[3] & 0xff);
      writeUntyped(out, len, body);
    } while (code == SSL_REQUEST || code == GSSENC_REQUEST);
    try {
      while (true) {
        int type = in.readUnsignedByte();
        int len = in.readInt();
        byte[] body = new byte[len - 4];
        in.readFully(body);
        if (type == 'Q') {
          queries.add(new Sent(new String(body, 0, body.length - 1, StandardCharsets.UTF_8), null));
        } else if (type == 'd' && !queries.isEmpty()) {
          Sent last = queries.get(queries.size() - 1);
          java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
          if (last.copyData() != null) {
            data.write(last.copyData());
          }
          data.write(body);
          queries.set(queries.size() - 1, new Sent(last.query(), data.toByteArray()));
        }
        out.write(type);
        writeUntyped(out, len, body);
        if (type == 'X') {
          return;
        }
      }
    } catch (EOFException e) {
      // end of the session
    }
  }

  private static void writeUntyped(OutputStream out, int len, byte[] body) throws IOException {
    out.write(new byte[] {(byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len});
    out.write(body);
    out.flush();
  }

  private static void copy(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // either side closed
    }
  }
}
