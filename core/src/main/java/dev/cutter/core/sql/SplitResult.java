package dev.cutter.core.sql;

import dev.cutter.core.Diagnostic;
import java.util.ArrayList;
import java.util.List;

/**
 * The statements of one script and the problems the splitter saw (an unterminated quote,
 * comment or BEGIN ATOMIC body at end of file).
 */
public record SplitResult(String sourceName, List<SqlStatement> statements, List<Diagnostic> problems) {

  public SplitResult {
    statements = List.copyOf(statements);
    problems = List.copyOf(problems);
  }

  /**
   * What can never run over a database connection, whatever the mode: psql meta-commands,
   * {@code COPY … FROM STDIN} with its inline data, and the splitter's problems; in line order.
   */
  public List<Diagnostic> unrunnable() {
    List<Diagnostic> out = new ArrayList<>(problems);
    for (SqlStatement s : statements) {
      if (s.kind() == StatementKind.META_COMMAND) {
        out.add(Diagnostic.at(sourceName, s.startLine(), "psql meta-command " + SqlSplitter.metaName(s.text())
            + " cannot run over a database connection; remove it (only plain SQL is sent)"));
      } else if (s.kind() == StatementKind.COPY_FROM_STDIN) {
        out.add(Diagnostic.at(sourceName, s.startLine(), "COPY … FROM STDIN reads its data from the script, which only psql"
            + " can do; load the rows with INSERT, or COPY from a server-side file"));
      }
    }
    out.sort(SplitResult::byLine);
    return out;
  }

  static int byLine(Diagnostic a, Diagnostic b) {
    return Integer.compare(a.line(), b.line());
  }
}
