package dev.cutter.bench;

import dev.cutter.core.sql.SplitResult;
import dev.cutter.core.sql.SqlSplitter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Splitter throughput on a generated DDL-heavy script. The {@code megabytes} secondary result
 * is the throughput in MB/s (10^6 bytes of UTF-8 input per second).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class SplitterBenchmark {

  @Param({"4000000"})
  public int scriptChars;

  private String script;
  private double megabytes;

  /** Counts the bytes split, so JMH reports MB/s beside splits/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    public double megabytes;

    @Setup(Level.Iteration)
    public void reset() {
      megabytes = 0;
    }
  }

  @Setup
  public void generate() {
    script = DdlScript.ofSize(scriptChars);
    megabytes = script.getBytes(StandardCharsets.UTF_8).length / 1_000_000.0;
  }

  @Benchmark
  public SplitResult split(Bytes bytes) {
    SplitResult r = SqlSplitter.split("bench.sql", script);
    bytes.megabytes += megabytes;
    return r;
  }
}
