package dev.cutter.core.exec;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay between a test's connections and the server that counts the Query messages ('Q')
 * the clients send, reading the protocol's framing (startup message, then type byte and length).
 * Connect with {@code sslmode=disable} so that the stream is plain.
 */
final class QueryMessageCounter implements AutoCloseable {

  private final ServerSocket listener;
  private final String host;
  private final int port;
  private final AtomicInteger queries = new AtomicInteger();

  QueryMessageCounter(String host, int port) throws IOException {
    this.host = host;
    this.port = port;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "query-counter-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** The relay's JDBC URL for {@code database}. */
  String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + listener.getLocalPort() + "/" + database + "?sslmode=disable";
  }

  /** Query messages sent so far, by every connection through the relay. */
  int queries() {
    return queries.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(host, port);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        start(() -> countAndCopy(client.getInputStream(), server.getOutputStream()), client, server);
        start(() -> copy(server.getInputStream(), client.getOutputStream()), client, server);
      } catch (IOException e) {
        return;
      }
    }
  }

  private interface Pump {
    void run() throws IOException;
  }

  private static void start(Pump p, Socket a, Socket b) {
    Thread t = new Thread(() -> {
      try {
        p.run();
      } catch (IOException ignored) {
        // the other side closed
      } finally {
        try {
          a.close();
          b.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }, "query-counter-pump");
    t.setDaemon(true);
    t.start();
  }

  private void countAndCopy(InputStream in, OutputStream out) throws IOException {
    DataInputStream d = new DataInputStream(in);
    // the startup message: length (itself included), then its body
    int len = d.readInt();
    byte[] body = d.readNBytes(len - 4);
    out.write(new byte[] {(byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len});
    out.write(body);
    out.flush();
    for (;;) {
      int type = d.read();
      if (type < 0) {
        return;
      }
      int n = d.readInt();
      if (type == 'Q') {
        queries.incrementAndGet();
      }
      out.write(type);
      out.write(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
      byte[] buf = new byte[8192];
      int left = n - 4;
      while (left > 0) {
        int r = d.read(buf, 0, Math.min(buf.length, left));
        if (r < 0) {
          return;
        }
        out.write(buf, 0, r);
        left -= r;
      }
      if (d.available() == 0) {
        out.flush();
      }
    }
  }

  private static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[16384];
    for (int r; (r = in.read(buf)) >= 0; ) {
      out.write(buf, 0, r);
      out.flush();
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
