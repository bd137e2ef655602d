import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.run.RunReport;
import dev.cutter.report.ReportCodec;
import dev.cutter.report.ReportWriter;
import dev.cutter.report.SecretScanner;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a report cold, in this JVM, as a run does at its end ({@code ReportWriter.render}), and
 * prints the wall time and the process CPU time it took and whether the YAML is the file's bytes.
 * The report is rebuilt from a report file (e.g. one of workload (b) from bench/whole-apply.sh)
 * without running the renderer on it: its 10,000 statements and committed statements are read
 * line by line, the rest through ReportCodec.read. Usage (each jar with its class-data archive):
 *   javac -d OUT -cp JAR bench/report/RenderCold.java
 *   java -XX:+UseSerialGC -XX:SharedArchiveFile=JSA -Xlog:cds=off -cp JAR:OUT RenderCold REPORT.yaml [OUT-PREFIX]
 * With RENDER_COLD_WARM_UP=N in the environment, the report's warm-up (ReportWarmup, as an apply
 * starts it when P1 begins) of N statements runs first, to its end, and is timed apart. With
 * RENDER_COLD_ROWS_AHEAD=1, the statement rows are made ready first (RowsAhead, as an apply starts
 * it once its statements ended), to their end, timed apart, and the render takes them. The main
 * thread's own CPU time of the render is printed too (the Markdown's thread is not in it).
 */
public class RenderCold {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    // the small part: the file without committed_statements' items and statements' items
    List<String> small = new ArrayList<>();
    List<Integer> committed = new ArrayList<>();
    List<StatementTiming> ran = new ArrayList<>();
    Long locksHeld = null;
    String section = "";
    int i = 0;
    while (i < lines.size()) {
      String l = lines.get(i);
      if (!l.startsWith(" ")) {
        section = l;
      }
      if (l.equals("  committed_statements:")) {
        i++;
        while (lines.get(i).startsWith("    - ")) {
          committed.add(Integer.parseInt(lines.get(i).substring(6)));
          i++;
        }
        continue;
      }
      if (l.equals("statements:")) {
        i++;
        while (i < lines.size() && lines.get(i).startsWith(" ")) {
          String s = lines.get(i);
          if (s.startsWith("  locks_held_ms: ")) {
            locksHeld = Long.parseLong(s.substring(17));
            i++;
          } else if (s.startsWith("    - index: ")) {
            int index = Integer.parseInt(s.substring(13));
            int line = Integer.parseInt(lines.get(i + 1).substring(12));
            i += 2;
            String text = null;
            if (lines.get(i).startsWith("      text: ")) {
              text = lines.get(i).substring(12);
              if (text.startsWith("\"")) {
                text = text.substring(1, text.length() - 1);
              }
              i++;
            }
            long d = Long.parseLong(lines.get(i).substring(19));
            i++;
            ran.add(new StatementTiming(index, line, text, d));
          } else {
            i++;
          }
        }
        continue;
      }
      small.add(l);
      i++;
    }
    Path tmp = Files.createTempDirectory("render-cold");
    Path smallFile = tmp.resolve("small.yaml");
    Files.write(smallFile, small, StandardCharsets.UTF_8);
    SecretScanner scanner = SecretScanner.forEnvironment(System.getenv(), System.getProperty("user.home"))
        .withSecret("password of the target", "bench-target-password");
    RunReport r = ReportCodec.read(smallFile, scanner).report();
    RunReport.ApplyInfo a = r.apply();
    r = r.withApply(new RunReport.ApplyInfo(a.status(), a.statementsTotal(), a.statementsExecuted(), a.transaction(),
        a.wrapperAbsorbed(), committed, a.failedStatement())).withStatements(new StatementTimings(ran, locksHeld));
    ReportCodec.warm();
    String warm = System.getenv("RENDER_COLD_WARM_UP"); // a warm-up of N statements first, timed apart
    var os0 = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    if (warm != null && !warm.isEmpty()) {
      long c0 = os0.getProcessCpuTime();
      long w0 = System.nanoTime();
      dev.cutter.report.ReportWarmup.start(Integer.parseInt(warm)).awaitEnd(60_000);
      System.out.printf("warm-up wall %d ms, process cpu %d ms%n", (System.nanoTime() - w0) / 1_000_000,
          (os0.getProcessCpuTime() - c0) / 1_000_000);
    }
    dev.cutter.report.RowsAhead ahead = null;
    if ("1".equals(System.getenv("RENDER_COLD_ROWS_AHEAD"))) {
      long c0 = os0.getProcessCpuTime();
      long w0 = System.nanoTime();
      SecretScanner s = scanner;
      ahead = dev.cutter.report.RowsAhead.start(r.statements(), r.apply().committedStatements(), () -> s, false);
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().equals(dev.cutter.report.RowsAhead.THREAD)) {
          t.join();
        }
      }
      System.out.printf("rows ahead wall %d ms, process cpu %d ms%n", (System.nanoTime() - w0) / 1_000_000,
          (os0.getProcessCpuTime() - c0) / 1_000_000);
    }
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    var threads = ManagementFactory.getThreadMXBean();
    long cpu0 = os.getProcessCpuTime();
    long main0 = threads.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    ReportWriter.Rendered out = new ReportWriter(tmp, scanner).render(r, ahead);
    long t1 = System.nanoTime();
    long cpu1 = os.getProcessCpuTime();
    long main1 = threads.getCurrentThreadCpuTime();
    String original = Files.readString(file, StandardCharsets.UTF_8);
    boolean same = out.yamlText().equals(original);
    if (args.length > 1) {
      Files.writeString(Path.of(args[1] + ".yaml"), out.yamlText());
      Files.writeString(Path.of(args[1] + ".md"), out.markdownText());
    }
    System.out.printf("render wall %d ms, process cpu %d ms, main thread cpu %d ms, yaml %d chars, same as file: %s,"
        + " md %d chars, rows ahead taken: %s%n", (t1 - t0) / 1_000_000, (cpu1 - cpu0) / 1_000_000,
        (main1 - main0) / 1_000_000, out.yamlText().length(), same, out.markdownText().length(),
        ahead != null && ahead.taken());
  }
}
