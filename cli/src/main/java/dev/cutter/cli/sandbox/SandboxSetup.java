package dev.cutter.cli.sandbox;

import dev.cutter.core.CutterException;
import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.exec.CopyIn;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.run.PackageScripts;
import dev.cutter.core.sql.SplitResult;
import dev.cutter.core.sql.SqlSplitter;
import dev.cutter.core.sql.SqlStatement;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The package's {@code sandbox.setup} scripts: read and judged before the sandbox starts, then
 * run statement by statement as the sandbox administrator (never as superuser).
 */
public final class SandboxSetup {

  /** One setup script as the package names it, split into the statements that will run. */
  public record Script(String shown, List<Located> statements) {
    public Script {
      statements = List.copyOf(statements);
    }
  }

  /** A statement and where its text starts in its file (1-based; column 0 when not found). */
  public record Located(SqlStatement statement, int line, int column) {}

  private final List<Script> scripts;

  private SandboxSetup(List<Script> scripts) {
    this.scripts = List.copyOf(scripts);
  }

  public List<Script> scripts() {
    return scripts;
  }

  /**
   * Reads and splits every setup script. What cannot run over a connection, and any COPY that
   * reads or writes the server's files or runs a program there, is an invalid package: every
   * problem at once, as {@code file:line:col}. (Server functions that reach files, such as
   * pg_read_file or lo_import, are refused by the server: setup does not run as superuser.)
   */
  public static SandboxSetup read(ApplyPackage p) {
    List<Script> scripts = new ArrayList<>();
    List<Diagnostic> problems = new ArrayList<>();
    for (Path file : p.sandbox().setup()) {
      String shown = p.directory().relativize(file).toString();
      String text = PackageScripts.read(file, shown);
      SplitResult split = SqlSplitter.split(shown, text);
      problems.addAll(split.unrunnable());
      int cursor = 0;
      int[] lines = lineStarts(text);
      List<Located> located = new ArrayList<>();
      for (SqlStatement s : split.statements()) {
        int found = text.indexOf(s.text(), cursor);
        if (found >= 0) {
          cursor = found + s.text().length();
        }
        located.add(found >= 0 ? locate(lines, found, s) : new Located(s, s.startLine(), 0));
        int at = s.serverSideCopyOffset();
        if (at >= 0) {
          Located where = found >= 0 ? locate(lines, found + at, s) : new Located(s, s.startLine(), 0);
          problems.add(new Diagnostic(shown, where.line(), where.column(), message(s)));
        }
      }
      scripts.add(new Script(shown, located));
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
    return new SandboxSetup(scripts);
  }

  private static Located locate(int[] lineStarts, int offset, SqlStatement s) {
    int i = Arrays.binarySearch(lineStarts, offset);
    int line = i >= 0 ? i : -i - 2;
    return new Located(s, line + 1, offset - lineStarts[line] + 1);
  }

  private static int[] lineStarts(String text) {
    List<Integer> starts = new ArrayList<>(List.of(0));
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }

  private static String message(SqlStatement s) {
    return "sandbox setup statement " + s.index() + " (" + s.summary() + "): COPY to or from a server-side file or "
        + "program is not allowed in sandbox.setup (a dry-run must not touch the machine it runs on); "
        + "load rows with INSERT";
  }

  /**
   * Runs every statement as {@code admin}, one session per script as before; after each
   * statement the warden adopts the roles it created. A failing statement stops the dry-run
   * with its file and line (exit 2: the package's setup is wrong).
   */
  public void run(ConnectionSpec admin, SandboxWarden warden) {
    for (Script script : scripts) {
      try (Connection c = Connections.open(admin, "cutter dry-run setup"); Statement st = c.createStatement()) {
        st.setEscapeProcessing(false);
        for (Located l : script.statements()) {
          SqlStatement s = l.statement();
          if (s.inertMetaCommand()) {
            continue;
          }
          try {
            if (s.copyData() != null) {
              CopyIn.send(c, s.text(), s.copyData());
            } else {
              st.execute(s.text());
            }
          } catch (SQLException e) {
            throw new InvalidInputException(new Diagnostic(script.shown(), l.line(), l.column(),
                "sandbox setup statement " + s.index() + " failed (setup runs as the sandbox administrator, "
                    + "not a superuser): " + DbErrors.oneLine(e)));
          }
          warden.adopt();
        }
      } catch (SQLException e) {
        throw new CutterException(1, "sandbox setup: " + DbErrors.oneLine(e), e);
      }
    }
  }
}
