package dev.cutter.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What differs between two real runs of the same scenario, and only that, replaced by fixed
 * stand-ins: run ids, times, process ids, ports, paths, the server's version, and the values that
 * follow from the cluster the test server was made with (its system identifier, and so the
 * package's sha256, which covers the package's target). Everything else in a golden report is
 * what the run wrote. The commit cutter was built from is replaced too: it changes with every
 * commit of the project.
 */
final class GoldenNormaliser {

  /** The fixed stand-ins. */
  static final String RUN_SECOND = "20260518T054609Z";
  static final String TIME = "2026-05-18T05:46:09Z";
  static final String PG_TIME = "2026-05-18 05:46:09+00";
  static final String SYSTEM_IDENTIFIER = "7300000000000000042";
  static final String PORT = "5432";
  static final String PID = "4242";

  private static final Pattern RUN_ID = Pattern.compile("\\b\\d{8}T\\d{6}Z-[0-9a-f]{4}\\b");
  /** A run id as a dry-run's sandbox database and roles spell it ({@code 20260518t054609z_3f2a}). */
  private static final Pattern RUN_ID_IN_NAME = Pattern.compile("\\d{8}t\\d{6}z_[0-9a-f]{4}\\b");
  private static final Pattern RUN_SECOND_ALONE = Pattern.compile("\\b\\d{8}T\\d{6}Z\\b");
  private static final Pattern INSTANT = Pattern.compile("\\b\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,9})?Z");
  private static final Pattern PG_TIMESTAMP =
      Pattern.compile("\\b\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,9})?[+-]\\d\\d(?::\\d\\d)?");
  /** The commit cutter was built from, in the YAML's {@code provenance.cutter.commit}. */
  private static final Pattern COMMIT = Pattern.compile("(?m)^(    commit: ).*$");
  static final String COMMIT_STAND_IN = "0123456789ab";
  private static final Pattern PROCESS = Pattern.compile("\\bpid \\d+");
  /** A measured time as a report field (YAML or JSON). */
  private static final Pattern TIME_FIELD = Pattern.compile(
      "(\"?\\b(?:duration_ms|locks_held_ms|waited_ms|waited_before_ms|transaction_age_ms|held_ms)\"?\\s?:\\s?)\\d+(?:\\.\\d+)?");
  /** A measured time in prose and tables: {@code 12 ms}, {@code 3.5 ms}, {@code waited 3ms} (never a timeout setting). */
  private static final Pattern TIME_TEXT = Pattern.compile("\\b\\d+(?:\\.\\d+)? ms\\b");
  private static final Pattern TIME_TEXT_TIGHT = Pattern.compile("(?<!timeout )(?<!timeout: )(?<![\"\\d])\\b\\d+ms\\b");
  /** Another session's process id, as the blockers section and its advice give it. */
  private static final Pattern PID_FIELD = Pattern.compile("(\"pid\" : |\\bpid: |pg_cancel_backend\\(|pg_terminate_backend\\()\\d+");
  private static final Pattern PID_ROW = Pattern.compile("(?m)^\\| \\d{2,7} \\| ");
  /** The SVG timeline's bar geometry, which follows the measured times. */
  private static final Pattern SVG_GEOMETRY = Pattern.compile("\\b(x|width)=\"\\d+(?:\\.\\d+)?\"");

  /** Instants that a package fixes (its authorization's expiry): kept as they are. */
  private final List<String> keptInstants = new ArrayList<>();
  private final Map<String, String> exact = new LinkedHashMap<>();
  /** Replaced after the times: a server version ({@code 15.2}) also occurs inside a timestamp ({@code 04:06:15.23Z}). */
  private final Map<String, String> afterTimes = new LinkedHashMap<>();
  private final Map<String, String> runIds = new LinkedHashMap<>();

  GoldenNormaliser keep(String instant) {
    keptInstants.add(instant);
    return this;
  }

  /** Every occurrence of {@code value} (a path, a port, a version) becomes {@code standIn}. */
  GoldenNormaliser exact(String value, String standIn) {
    if (value != null && !value.isEmpty() && !value.equals(standIn)) {
      exact.put(value, standIn);
    }
    return this;
  }

  /**
   * Every occurrence of the version {@code value} becomes {@code standIn}, once timestamps and
   * measured times are normalised, so that a version's digits inside a time are never touched.
   */
  GoldenNormaliser version(String value, String standIn) {
    if (value != null && !value.isEmpty() && !value.equals(standIn)) {
      afterTimes.put(value, standIn);
    }
    return this;
  }

  /** The port, as it appears after a host ({@code :PORT}) or spelled out ({@code port PORT}). */
  GoldenNormaliser port(int port) {
    return exact(":" + port, ":" + PORT).exact("port " + port, "port " + PORT).exact("port=" + port, "port=" + PORT);
  }

  String apply(String text) {
    String out = text;
    List<Map.Entry<String, String>> byLength = new ArrayList<>(exact.entrySet());
    byLength.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed());
    for (Map.Entry<String, String> e : byLength) {
      out = out.replace(e.getKey(), e.getValue());
    }
    // run ids by order of first appearance: the run's own first, an earlier run's (a replay) next
    out = replace(RUN_ID, out, this::runId);
    out = replace(RUN_ID_IN_NAME, out, m -> runId(m.toUpperCase(java.util.Locale.ROOT).replace('_', '-'))
        .toLowerCase(java.util.Locale.ROOT).replace('-', '_'));
    out = replace(RUN_SECOND_ALONE, out, m -> RUN_SECOND);
    out = replace(INSTANT, out, m -> keptInstants.contains(m) ? m : TIME);
    out = replace(PG_TIMESTAMP, out, m -> PG_TIME);
    out = replace(PROCESS, out, m -> "pid " + PID);
    out = COMMIT.matcher(out).replaceAll("$1" + COMMIT_STAND_IN);
    out = TIME_FIELD.matcher(out).replaceAll("$10");
    out = PID_FIELD.matcher(out).replaceAll("$1" + PID);
    out = PID_ROW.matcher(out).replaceAll("| " + PID + " | ");
    out = TIME_TEXT.matcher(out).replaceAll("N ms");
    out = TIME_TEXT_TIGHT.matcher(out).replaceAll("Nms");
    for (Map.Entry<String, String> e : afterTimes.entrySet()) {
      out = out.replace(e.getKey(), e.getValue());
    }
    StringBuilder lines = new StringBuilder();
    for (String line : out.split("\n", -1)) {
      lines.append(line.contains("class=\"gate\"") ? SVG_GEOMETRY.matcher(line).replaceAll("$1=\"N\"") : line)
          .append('\n');
    }
    return lines.substring(0, lines.length() - 1);
  }

  private String runId(String real) {
    return runIds.computeIfAbsent(real.substring(0, 17) + real.substring(17).toLowerCase(java.util.Locale.ROOT),
        k -> RUN_SECOND + "-" + String.format("%04x", runIds.size() + 1));
  }

  private static String replace(Pattern p, String text, java.util.function.UnaryOperator<String> with) {
    Matcher m = p.matcher(text);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(b, Matcher.quoteReplacement(with.apply(m.group())));
    }
    m.appendTail(b);
    return b.toString();
  }
}
