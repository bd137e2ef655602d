package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.exec.Journal.Entry;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cutter history}: the target's journal, a line per run that reached its change. */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = "List the target's journal (cutter.journal): each run that reached its change, and each rollback, "
        + "with run id, package id and sha256, verdict, roles, signers, times and the report's sha256. Reads only.")
final class HistoryCommand implements Callable<Integer> {

  /** Made on first use: only {@code --output json} writes JSON. */
  private static final class Json {
    static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();
  }

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Option(names = "--package", paramLabel = "ID", description = "Only the rows of this package id.")
  String packageId;

  @Override
  public Integer call() {
    ConnectionSpec target = connection.resolve();
    List<Entry> rows = read(target, Optional.ofNullable(packageId));
    PrintWriter out = spec.commandLine().getOut();
    GlobalOptions global = spec.root().commandLine().<CutterCommand>getCommand().global;
    if (global.output() == GlobalOptions.OutputFormat.json) {
      try {
        out.println(Json.MAPPER.writeValueAsString(rows.stream().map(r -> json(r, rows)).toList()));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    } else if (rows.isEmpty()) {
      out.println(packageId == null ? "the journal is empty" : "no journal row for package " + packageId);
    } else {
      rows.forEach(r -> out.println(line(r, rows)));
    }
    out.flush();
    return ExitCodes.OK;
  }

  static List<Entry> read(ConnectionSpec target, Optional<String> packageId) {
    try (Connection c = Connections.openReadOnly(target, "cutter history")) {
      List<Entry> rows = Journal.rows(c, packageId);
      c.rollback();
      return rows;
    } catch (SQLException e) {
      String at = " in database " + Identifiers.quote(target.database()) + " on " + target.display();
      if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
        throw new CutterException(ExitCodes.CHECKS_FAILED, "no journal " + Journal.QUALIFIED + at
            + ": cutter init creates it", e);
      }
      if ("42501".equals(e.getSQLState())) {
        throw new CutterException(ExitCodes.CHECKS_FAILED, "role " + Identifiers.quote(target.user())
            + " may not read " + Journal.QUALIFIED + at + ": cutter init --reader " + target.user() + " grants it", e);
      }
      throw new CutterException(ExitCodes.CHECKS_FAILED, "reading " + Journal.QUALIFIED + at + " failed: "
          + DbErrors.oneLine(e), e);
    }
  }

  /** The rollback row that undid {@code apply}, if any: same package sha256, a ROLLBACK_ verdict. */
  static Optional<Entry> undoneBy(Entry apply, List<Entry> rows) {
    return apply.isRollback() ? Optional.empty()
        : rows.stream().filter(r -> r.isRollback() && r.packageSha256().equals(apply.packageSha256())).findFirst();
  }

  /** The apply row a rollback row undid. */
  static Optional<Entry> undid(Entry rollback, List<Entry> rows) {
    return !rollback.isRollback() ? Optional.empty()
        : rows.stream().filter(r -> !r.isRollback() && r.packageSha256().equals(rollback.packageSha256())).findFirst();
  }

  static String line(Entry r, List<Entry> rows) {
    StringBuilder b = new StringBuilder();
    b.append(r.started()).append("  ").append(String.format("%-18s", r.verdict()))
        .append(" run ").append(r.runId())
        .append("  package ").append(r.packageId()).append(" (sha256 ").append(r.packageSha256(), 0, 12).append(")")
        .append("  as ").append(r.applyRole()).append(" (login ").append(r.loginRole()).append(")")
        .append("  signers ").append(r.signerFingerprints().size());
    if (r.phase() != null && !r.phase().equals("transactional")) {
      b.append("  phase ").append(r.phase());
    }
    b.append("  finished ").append(r.finished() == null ? "never (the run did not finish its row)" : r.finished());
    b.append("  report ").append(r.reportSha256() == null ? "none" : r.reportSha256().substring(0, 12));
    undoneBy(r, rows).ifPresent(x -> b.append("  rolled back by run ").append(x.runId()).append(" (")
        .append(x.verdict()).append(")"));
    undid(r, rows).ifPresent(x -> b.append("  undoes run ").append(x.runId()));
    return b.toString();
  }

  static Map<String, Object> json(Entry r, List<Entry> rows) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", r.runId());
    m.put("package_id", r.packageId());
    m.put("package_sha256", r.packageSha256());
    m.put("verdict", r.verdict());
    m.put("phase", r.phase());
    m.put("signer_fingerprints", r.signerFingerprints());
    m.put("login_role", r.loginRole());
    m.put("apply_role", r.applyRole());
    m.put("started", r.started().toString());
    m.put("finished", r.finished() == null ? null : r.finished().toString());
    m.put("report_sha256", r.reportSha256());
    m.put("rolled_back_by", undoneBy(r, rows).map(Entry::runId).orElse(null));
    m.put("undoes", undid(r, rows).map(Entry::runId).orElse(null));
    return m;
  }
}
