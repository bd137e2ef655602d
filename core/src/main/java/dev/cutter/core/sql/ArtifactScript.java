package dev.cutter.core.sql;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.model.ApplySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A package's SQL artifact judged against cutter's rules (SPEC 3, "The artifact"): the statements
 * to run, whether a BEGIN/COMMIT pair wrapping the whole file was absorbed, and every rejection
 * with its line.
 *
 * @param statements what the executor sends, in order: the absorbed wrapper, statements that
 *     are only comments ({@link StatementKind#EMPTY}) and pg_dump's <code>&#92;restrict</code> /
 *     <code>&#92;unrestrict</code> lines ({@link SqlStatement#inertMetaCommand}) left out
 * @param absorbedWrapper the wrapper that was absorbed, if any; the report says so
 * @param rejections why the artifact cannot run as it is, in line order; empty when it can
 */
public record ArtifactScript(
    String sourceName, List<SqlStatement> statements, Optional<Wrapper> absorbedWrapper, List<Diagnostic> rejections) {

  /** The lines of an absorbed {@code BEGIN} and {@code COMMIT}. */
  public record Wrapper(int beginLine, int commitLine) {
    public String describe() {
      return "BEGIN at line " + beginLine + " and COMMIT at line " + commitLine
          + " wrap the whole file; cutter runs it in its own transaction and left them out";
    }
  }

  public ArtifactScript {
    statements = List.copyOf(statements);
    rejections = List.copyOf(rejections);
  }

  /** True when nothing was rejected. */
  public boolean runnable() {
    return rejections.isEmpty();
  }

  /** Judges a split artifact for a package that runs in {@code mode}. */
  public static ArtifactScript of(SplitResult split, ApplySettings.Mode mode) {
    String file = split.sourceName();
    List<SqlStatement> body = new ArrayList<>();
    for (SqlStatement s : split.statements()) {
      if (s.kind() != StatementKind.EMPTY && !s.inertMetaCommand()) {
        body.add(s);
      }
    }
    List<Diagnostic> rejections = new ArrayList<>(split.unrunnable());
    Optional<Wrapper> wrapper = Optional.empty();
    if (wrapsWholeFile(body)) {
      SqlStatement begin = body.get(0);
      SqlStatement commit = body.get(body.size() - 1);
      if (mode == ApplySettings.Mode.TRANSACTION) {
        wrapper = Optional.of(new Wrapper(begin.startLine(), commit.startLine()));
        body = new ArrayList<>(body.subList(1, body.size() - 1));
      } else {
        rejections.add(Diagnostic.at(file, begin.startLine(), "the BEGIN … COMMIT wrapper (lines " + begin.startLine() + "-"
            + commit.endLine() + ") contradicts mode: autocommit, where each statement commits on its own;"
            + " remove the wrapper or use mode: transaction"));
        body = new ArrayList<>(body.subList(1, body.size() - 1));
      }
    }
    for (SqlStatement s : body) {
      if (s.kind() == StatementKind.TRANSACTION_CONTROL) {
        rejections.add(Diagnostic.at(file, s.startLine(), "`" + s.summary() + "` is transaction control: cutter runs the"
            + " artifact in one transaction it controls; remove it (only a BEGIN … COMMIT pair wrapping the whole file is"
            + " accepted, and absorbed)"));
      } else if (s.kind() == StatementKind.SQL && copyRefused(s) != null) {
        rejections.add(Diagnostic.at(file, s.startLine(), "`" + s.summary() + "`: " + copyRefused(s)));
      } else if (s.kind() == StatementKind.NON_TRANSACTIONAL && mode == ApplySettings.Mode.TRANSACTION) {
        rejections.add(Diagnostic.at(file, s.startLine(), "`" + s.summary() + "` cannot run inside a transaction block"
            + " (SQLSTATE 25001); put it in a package with mode: autocommit"));
      }
    }
    rejections.sort(SplitResult::byLine);
    return new ArtifactScript(file, body, wrapper, rejections);
  }

  /** Why a COPY that writes to the client or runs a program is refused; null for any other statement. */
  private static String copyRefused(SqlStatement s) {
    return switch (StatementClassifier.copyForm(s.text())) {
      case TO_STDOUT -> "COPY … TO STDOUT would print table rows, which cutter never shows; a change only loads data"
          + " (COPY … FROM STDIN with its data inline)";
      case PROGRAM -> "COPY … PROGRAM runs a command on the database host; a change may not (load the rows with"
          + " COPY … FROM STDIN and the data inline)";
      default -> null;
    };
  }

  private static boolean wrapsWholeFile(List<SqlStatement> body) {
    return body.size() >= 2
        && body.get(0).kind() == StatementKind.TRANSACTION_CONTROL
        && StatementClassifier.isPlainBegin(body.get(0).text())
        && body.get(body.size() - 1).kind() == StatementKind.TRANSACTION_CONTROL
        && StatementClassifier.isPlainCommit(body.get(body.size() - 1).text());
  }
}
