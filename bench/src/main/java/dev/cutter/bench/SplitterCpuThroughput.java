package dev.cutter.bench;

import dev.cutter.core.sql.SqlSplitter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * Splitter throughput per CPU-second of the whole process (GC and JIT included), which a busy
 * shared machine does not distort the way it distorts wall-clock JMH scores. Prints one line per
 * round of ten splits of a 4 MB DDL script; the first rounds warm up.
 */
public final class SplitterCpuThroughput {

  private SplitterCpuThroughput() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    String script = DdlScript.ofSize(4_000_000);
    double megabytes = script.getBytes(StandardCharsets.UTF_8).length / 1_000_000.0;
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long statements = 0;
    for (int r = 1; r <= rounds; r++) {
      long cpu = os.getProcessCpuTime();
      for (int i = 0; i < 10; i++) {
        statements += SqlSplitter.split("bench.sql", script).statements().size();
      }
      double seconds = (os.getProcessCpuTime() - cpu) / 1e9;
      System.out.printf("round %2d: %.0f MB per process CPU-second%n", r, 10 * megabytes / seconds);
    }
    System.out.printf("(%.1f MB script, %d statements per split)%n", megabytes, statements / (10L * rounds));
  }
}
