package dev.cutter.core.exec;

import dev.cutter.core.exec.ApplyEngine.Sending;
import dev.cutter.core.model.ApplySettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The transactional apply step alone, one statement at a time against pipelined, on workload b
 * of bench/apply (10,000 statements over 2,000 tables) and c (600 PL/pgSQL functions): rounds
 * alternate the two ways, each a whole apply through {@link ApplyEngine} that ends in a rollback
 * (the journal hook refuses), so every round starts from the same database. With
 * {@code -Dcutter.bench.delayMs=N} the session goes through a proxy in this JVM that delays every
 * chunk N ms each way (a network hop of 2N ms round trip).
 *
 * <p>Not part of the suite; {@code bench/pipeline.sh} starts a throwaway server and runs it.
 */
@Tag("bench")
@EnabledIfSystemProperty(named = "cutter.bench.port", matches = "\\d+")
class PipelineBench {

  static List<ExecStatement> workloadB() {
    List<String> out = new ArrayList<>();
    out.add("create schema bench;");
    for (int i = 0; i < 2000; i++) {
      out.add("create table bench.t" + i + " (id bigint primary key, name text not null, v numeric(12,2), "
          + "created timestamptz default now());");
      out.add("create index t" + i + "_name on bench.t" + i + " (name);");
      out.add("create view bench.v" + i + " as select id, name from bench.t" + i + " where v > 0;");
      out.add("comment on table bench.t" + i + " is E'table " + i + "\\nit''s \\\\ quoted; with a semicolon';");
      out.add("comment on column bench.t" + i + ".name is E'name of " + i + "\\t(tab)';");
    }
    return numbered(out);
  }

  static List<ExecStatement> workloadC() {
    List<String> out = new ArrayList<>();
    out.add("create schema bench;");
    for (int i = 0; i < 600; i++) {
      out.add("/* function " + i + " /* nested comment ; with a semicolon */ still a comment */\n"
          + "create function bench.f" + i + "(x int) returns int language plpgsql as $fn" + i + "$\n"
          + "declare\n  s text := $q$it's ; $$ not the end$q$;\n"
          + "begin\n  -- a line comment; with $$ inside\n  if x > " + i + " then\n    return x - " + i + ";\n  end if;\n"
          + "  return x + length(s);\nend\n$fn" + i + "$;");
    }
    return numbered(out);
  }

  private static List<ExecStatement> numbered(List<String> out) {
    List<ExecStatement> s = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      s.add(new ExecStatement(i + 1, i + 1, out.get(i)));
    }
    return s;
  }

  @Test
  void oneAtATimeAgainstPipelined() throws Exception {
    int port = Integer.parseInt(System.getProperty("cutter.bench.port"));
    int delay = Integer.parseInt(System.getProperty("cutter.bench.delayMs", "0"));
    int rounds = Integer.parseInt(System.getProperty("cutter.bench.rounds", "5"));
    String workloads = System.getProperty("cutter.bench.workloads", "bc");
    Proxy proxy = delay > 0 ? new Proxy(port, delay) : null;
    String url = "jdbc:postgresql://localhost:" + (proxy == null ? port : proxy.port()) + "/bench";
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("preferQueryMode", "simple");
    for (char w : workloads.toCharArray()) {
      List<ExecStatement> statements = w == 'b' ? workloadB() : workloadC();
      long[] one = new long[rounds];
      long[] piped = new long[rounds];
      long[] unjoined = new long[rounds];
      long[] oneCpu = new long[rounds];
      long[] pipedCpu = new long[rounds];
      long[] unjoinedCpu = new long[rounds];
      for (int r = 0; r < rounds; r++) {
        long[] t = once(url, p, statements, Sending.ONE_AT_A_TIME, ApplyEngine.NO_OBSERVER);
        one[r] = t[0];
        oneCpu[r] = t[1];
        t = once(url, p, statements, Sending.PIPELINED, NOT_JOINED);
        unjoined[r] = t[0];
        unjoinedCpu[r] = t[1];
        t = once(url, p, statements, Sending.PIPELINED, ApplyEngine.NO_OBSERVER);
        piped[r] = t[0];
        pipedCpu[r] = t[1];
        System.out.printf("workload %s round %d: one at a time %d ms (backend CPU %d ms), pipelined one message per"
            + " statement %d ms (%d ms), pipelined joined %d ms (%d ms)%n", w, r + 1, one[r], oneCpu[r], unjoined[r],
            unjoinedCpu[r], piped[r], pipedCpu[r]);
      }
      System.out.printf("workload %s, %d statements, delay %d ms each way, median of %d: one at a time %d ms, "
          + "pipelined %d ms, ratio %.2f%n", w, statements.size(), delay, rounds, median(one), median(piped),
          (double) median(piped) / median(one));
      System.out.printf("workload %s, median of %d, wall ms / backend CPU ms: one at a time %d / %d, pipelined one"
          + " message per statement %d / %d, pipelined joined %d / %d%n", w, rounds, median(one), median(oneCpu),
          median(unjoined), median(unjoinedCpu), median(piped), median(pipedCpu));
    }
  }

  /** Pipelined as before statements were joined: an observer that watches none keeps each statement its own message. */
  private static final ApplyEngine.WindowedObserver NOT_JOINED = new ApplyEngine.WindowedObserver() {
    @Override
    public boolean observes(ExecStatement s) {
      return false;
    }

    @Override
    public void after(Connection c, ExecStatement s, long nanos) {
      // nothing to see
    }
  };

  /** Wall time and the session's server backend CPU time (user + system, from /proc), in ms. */
  private static long[] once(String url, Properties p, List<ExecStatement> statements, Sending sending,
      ApplyEngine.AfterStatement after) throws Exception {
    ApplySettings tx = new ApplySettings(ApplySettings.Mode.TRANSACTION, Duration.ofSeconds(5), Duration.ofMinutes(30));
    try (Connection c = DriverManager.getConnection(url, p)) {
      int pid;
      try (java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      long cpu0 = backendCpuMs(pid);
      long t0 = System.nanoTime();
      ApplyEngine.Outcome o = ApplyEngine.run(c, statements, tx, conn -> {
        throw new SQLException("the bench ends here", "00000");
      }, ApplyEngine.NO_RECHECK, after, sending);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      long cpu = backendCpuMs(pid) - cpu0;
      if (o.failedIndex() == null || o.failedIndex() != -1 || o.executed() != statements.size()) {
        throw new IllegalStateException("the apply did not run through: " + o.error());
      }
      return new long[] {ms, cpu};
    }
  }

  /** utime + stime of a local process in ms (-1 when not readable: a remote server). */
  private static long backendCpuMs(int pid) {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields 14 and 15 of stat(5), counted from the state field (3rd) here; clock ticks of 10 ms
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** Forwards localhost connections to the server, each chunk delayed by a fixed time each way. */
  static final class Proxy {
    private final ServerSocket listen;

    Proxy(int target, int delayMs) throws IOException {
      listen = new ServerSocket();
      listen.bind(new InetSocketAddress("localhost", 0));
      Thread accept = new Thread(() -> {
        while (true) {
          try {
            Socket client = listen.accept();
            Socket server = new Socket("localhost", target);
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            pump(client.getInputStream(), server.getOutputStream(), delayMs);
            pump(server.getInputStream(), client.getOutputStream(), delayMs);
          } catch (IOException e) {
            return;
          }
        }
      });
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return listen.getLocalPort();
    }

    private record Chunk(byte[] bytes, long due) implements Delayed {
      @Override
      public long getDelay(TimeUnit unit) {
        return unit.convert(due - System.nanoTime(), TimeUnit.NANOSECONDS);
      }

      @Override
      public int compareTo(Delayed o) {
        return Long.compare(due, ((Chunk) o).due);
      }
    }

    private static void pump(InputStream in, OutputStream out, int delayMs) {
      DelayQueue<Chunk> q = new DelayQueue<>();
      Thread reader = new Thread(() -> {
        byte[] buf = new byte[65536];
        try {
          for (int n; (n = in.read(buf)) > 0; ) {
            q.put(new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + delayMs * 1_000_000L));
          }
        } catch (IOException ignored) {
          // the connection ended
        }
        q.put(new Chunk(new byte[0], System.nanoTime() + delayMs * 1_000_000L));
      });
      Thread writer = new Thread(() -> {
        try {
          while (true) {
            Chunk c = q.take();
            if (c.bytes().length == 0) {
              out.close();
              return;
            }
            out.write(c.bytes());
            out.flush();
          }
        } catch (IOException | InterruptedException ignored) {
          // the connection ended
        }
      });
      reader.setDaemon(true);
      writer.setDaemon(true);
      reader.start();
      writer.start();
    }
  }
}
