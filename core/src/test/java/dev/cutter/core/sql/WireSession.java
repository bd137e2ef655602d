package dev.cutter.core.sql;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare protocol-3 session (trust authentication, simple Query messages only) that reports what
 * the server answered to one query: its command tag, its SQLSTATE, whether it opened a COPY IN,
 * whether the query was empty, and the transaction status of the ReadyForQuery that ended it.
 * No driver interprets anything in between: this is the server's own word.
 */
final class WireSession implements AutoCloseable {

  /** The server's answer to one Query message. */
  record Answer(String tag, String sqlstate, boolean copyIn, boolean emptyQuery, char status) {}

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  WireSession(String host, int port, String user, String database) throws IOException {
    socket = new Socket(host, port);
    socket.setSoTimeout(60_000);
    in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    out = socket.getOutputStream();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    writeInt(b, 196608);
    for (String s : new String[] {"user", user, "database", database, "client_encoding", "UTF8"}) {
      cstring(b, s);
    }
    b.write(0);
    byte[] body = b.toByteArray();
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    writeInt(m, body.length + 4);
    m.write(body);
    out.write(m.toByteArray());
    out.flush();
    Answer a = readUntilReady();
    if (a.sqlstate() != null) {
      throw new IOException("the server refused the session: SQLSTATE " + a.sqlstate());
    }
  }

  /** Sends {@code sql} as one Query message; a COPY IN it opens is failed at once. */
  Answer query(String sql) throws IOException {
    send('Q', cstringBytes(sql));
    return readUntilReady();
  }

  private Answer readUntilReady() throws IOException {
    String tag = null;
    String sqlstate = null;
    boolean copyIn = false;
    boolean empty = false;
    while (true) {
      int type = in.readUnsignedByte();
      int len = in.readInt();
      byte[] body = new byte[len - 4];
      in.readFully(body);
      switch (type) {
        case 'C' -> tag = new String(body, 0, body.length - 1, StandardCharsets.UTF_8);
        case 'E' -> sqlstate = field(body, 'C');
        case 'I' -> empty = true;
        case 'G' -> {
          copyIn = true;
          send('f', cstringBytes("probe: no data"));
        }
        case 'R' -> {
          int code = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8) | (body[3] & 0xff);
          if (code != 0) {
            throw new IOException("the server asks for authentication " + code + "; the probe speaks trust only");
          }
        }
        case 'Z' -> {
          return new Answer(tag, sqlstate, copyIn, empty, (char) body[0]);
        }
        default -> {
          // parameter status, backend key, notices, row descriptions, rows, copy-out data
        }
      }
    }
  }

  private static String field(byte[] body, char code) {
    int i = 0;
    while (i < body.length && body[i] != 0) {
      int start = i + 1;
      int end = start;
      while (end < body.length && body[end] != 0) {
        end++;
      }
      if (body[i] == code) {
        return new String(body, start, end - start, StandardCharsets.UTF_8);
      }
      i = end + 1;
    }
    return null;
  }

  private void send(char type, byte[] body) throws IOException {
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.write(type);
    writeInt(m, body.length + 4);
    m.write(body);
    out.write(m.toByteArray());
    out.flush();
  }

  private static byte[] cstringBytes(String s) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    cstring(b, s);
    return b.toByteArray();
  }

  private static void cstring(ByteArrayOutputStream b, String s) {
    b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    b.write(0);
  }

  private static void writeInt(ByteArrayOutputStream b, int v) {
    b.write(v >>> 24);
    b.write(v >>> 16);
    b.write(v >>> 8);
    b.write(v);
  }

  @Override
  public void close() throws IOException {
    try {
      send('X', new byte[0]);
    } catch (IOException e) {
      // the server is gone already
    }
    socket.close();
  }
}
