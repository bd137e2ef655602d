package dev.cutter.core.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP proxy in front of the test server that forwards every byte, except on the one connection
 * whose startup message names {@code applicationName}: once that client's {@code COMMIT} has been
 * forwarded, the server's reply is held back and, as soon as its first byte arrives (the commit
 * is done on the server), both sides of that connection are closed. The client sees the
 * connection drop at COMMIT although the change committed: "commit succeeded, reply lost",
 * deterministically.
 */
final class ReplyCuttingProxy implements AutoCloseable {

  private static final byte[] COMMIT = "COMMIT\0".getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket listener;
  private final int serverPort;
  private final byte[] marker;
  private final byte[] trigger;
  private final boolean awaitReply;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  /** Counted down when the reply to COMMIT came from the server and was dropped. */
  final CountDownLatch replyDropped = new CountDownLatch(1);

  ReplyCuttingProxy(int serverPort, String applicationName) throws IOException {
    this(serverPort, applicationName, COMMIT, true);
  }

  /**
   * As above, cutting after the client's message containing {@code trigger} was forwarded: at the
   * reply's first byte ({@code awaitReply}), or at once (the server goes on running the statement
   * for a client that is gone, as across a network partition).
   */
  ReplyCuttingProxy(int serverPort, String applicationName, byte[] trigger, boolean awaitReply) throws IOException {
    this.serverPort = serverPort;
    this.trigger = trigger;
    this.awaitReply = awaitReply;
    this.marker = applicationName.getBytes(StandardCharsets.UTF_8);
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
        sockets.add(client);
        sockets.add(server);
        Link link = new Link(client, server);
        start(() -> link.up(), "proxy-up");
        start(() -> link.down(), "proxy-down");
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void start(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  /** One proxied connection. */
  private final class Link {
    final Socket client;
    final Socket server;
    volatile boolean target;
    volatile boolean commitSent;

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    /** Client to server; notes the target's startup message and its COMMIT. */
    void up() {
      byte[] tail = new byte[0];
      try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
          byte[] seen = concat(tail, buf, n);
          if (!target && indexOf(seen, marker) >= 0) {
            target = true;
          }
          boolean commit = target && indexOf(seen, trigger) >= 0;
          out.write(buf, 0, n);
          out.flush();
          if (commit) {
            commitSent = true;
            if (!awaitReply) {
              replyDropped.countDown();
              closeBoth();
              return;
            }
          }
          tail = java.util.Arrays.copyOfRange(seen, Math.max(0, seen.length - 256), seen.length);
        }
      } catch (IOException e) {
        // either side closed
      } finally {
        closeBoth();
      }
    }

    /** Server to client; after the target's COMMIT, drops the reply and cuts the connection. */
    void down() {
      try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
          if (commitSent) {
            replyDropped.countDown();
            closeBoth();
            return;
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // either side closed
      } finally {
        closeBoth();
      }
    }

    void closeBoth() {
      quiet(client);
      quiet(server);
    }
  }

  private static byte[] concat(byte[] a, byte[] b, int n) {
    byte[] out = new byte[a.length + n];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, n);
    return out;
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void quiet(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    sockets.forEach(ReplyCuttingProxy::quiet);
  }
}
