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
   * What can never run over a database connection as psql runs it, whatever the mode: psql
   * meta-commands (but pg_dump's <code>&#92;restrict</code> and <code>&#92;unrestrict</code>, which send
   * nothing), a {@code COPY … FROM STDIN} in binary format (psql would read the rest of the
   * file as its data) or joined to other commands by {@code \;}, and the splitter's problems; in
   * line order. A text or CSV {@code COPY … FROM STDIN} with its inline data runs.
   */
  public List<Diagnostic> unrunnable() {
    List<Diagnostic> out = new ArrayList<>(problems);
    for (SqlStatement s : statements) {
      ScriptJudge.unrunnable(sourceName, s).ifPresent(out::add);
    }
    out.sort(SplitResult::byLine);
    return out;
  }

  static int byLine(Diagnostic a, Diagnostic b) {
    return Integer.compare(a.line(), b.line());
  }
}
