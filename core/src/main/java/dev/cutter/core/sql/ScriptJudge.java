package dev.cutter.core.sql;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.model.ApplySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The artifact rules (SPEC 3, "The artifact") applied one statement at a time: what apply
 * refuses in a change or rollback artifact — psql meta-commands (but pg_dump's
 * <code>&#92;restrict</code> / <code>&#92;unrestrict</code>, which send nothing and are left out), a
 * {@code COPY … FROM STDIN} in binary format or joined to other commands by {@code \;}, {@code
 * COPY … TO STDOUT} and {@code COPY … PROGRAM}, transaction control other than a wrapper around
 * the whole file, statements that cannot run in a transaction block in transaction mode. {@link ArtifactScript#of} judges a split with it, and
 * {@code package verify} judges a streamed split with it, so the two cannot disagree. Holds only
 * the refusals and the first and last statements (a wrapper is decided at the end).
 */
public final class ScriptJudge implements Utf8Splitter.Sink {

  private final String file;
  private final ApplySettings.Mode mode;
  private final List<Diagnostic> unrunnable = new ArrayList<>();
  /** Refusals of transaction control and non-transactional statements, with the index of the statement refused. */
  private final List<Indexed> refused = new ArrayList<>();
  private SqlStatement first; // null also when the first statement was plain SQL (see firstPlain)
  private boolean firstPlain;
  private SqlStatement last; // null when the last statement was plain SQL
  private int bodyCount;

  private record Indexed(int index, Diagnostic diagnostic) {}

  public ScriptJudge(String file, ApplySettings.Mode mode) {
    this.file = file;
    this.mode = mode;
  }

  /** Judges the next statement of the split, in order. */
  @Override
  public void statement(SqlStatement s) {
    accept(s);
  }

  /**
   * The next statement is ordinary SQL whose text the rules do not need: nothing to refuse, and
   * it is neither a wrapper's BEGIN nor its COMMIT.
   */
  @Override
  public void plainSql(int index, int startLine, int endLine, int startColumn) {
    bodyCount++;
    if (first == null) {
      firstPlain = true;
    }
    last = null;
  }

  /** Judges the next statement of the split, in order. */
  public void accept(SqlStatement s) {
    unrunnable(file, s).ifPresent(unrunnable::add);
    if (s.kind() == StatementKind.EMPTY || s.inertMetaCommand()) {
      return;
    }
    bodyCount++;
    if (first == null && !firstPlain) {
      first = s;
    }
    last = s;
    if (s.kind() == StatementKind.TRANSACTION_CONTROL) {
      refused.add(new Indexed(s.index(), new Diagnostic(file, s.startLine(), s.startColumn(), "`" + s.summary() + "` is transaction control:"
          + " cutter runs the artifact in one transaction it controls; remove it (only a BEGIN … COMMIT pair wrapping the"
          + " whole file is accepted, and absorbed)")));
    } else if (s.kind() == StatementKind.SQL && copyRefused(s) != null) {
      refused.add(new Indexed(s.index(), new Diagnostic(file, s.startLine(), s.startColumn(), "`" + s.summary() + "`: "
          + copyRefused(s))));
    } else if (s.kind() == StatementKind.NON_TRANSACTIONAL && mode == ApplySettings.Mode.TRANSACTION) {
      refused.add(new Indexed(s.index(), new Diagnostic(file, s.startLine(), s.startColumn(), "`" + s.summary() + "` cannot run inside a"
          + " transaction block (SQLSTATE 25001); put it in the online: step (an index built, dropped or rebuilt"
          + " CONCURRENTLY) or in a package with mode: autocommit")));
    }
  }

  /**
   * Why a statement can never run over a database connection as psql runs it, whatever the mode: a
   * meta-command (but <code>&#92;restrict</code> / <code>&#92;unrestrict</code>), a {@code COPY … FROM STDIN}
   * in binary format or joined to other commands by {@code \;}.
   */
  static Optional<Diagnostic> unrunnable(String file, SqlStatement s) {
    return switch (s.kind()) {
      case META_COMMAND -> s.inertMetaCommand() ? Optional.empty() : Optional.of(new Diagnostic(file, s.startLine(),
          s.startColumn(), "psql meta-command " + SqlSplitter.metaName(s.text()) + " cannot run over a database"
          + " connection; remove it (only plain SQL is sent)"));
      case COPY_FROM_STDIN -> {
        if (StatementClassifier.copyForm(s.text()) == StatementClassifier.CopyForm.FROM_STDIN_BINARY) {
          yield Optional.of(new Diagnostic(file, s.startLine(), s.startColumn(), "COPY … FROM STDIN in binary format:"
              + " psql would read the rest of the file as its data; use text or CSV data ended by a \\. line"));
        }
        if (SqlSplitter.split(file, s.text()).statements().size() != 1) {
          yield Optional.of(new Diagnostic(file, s.startLine(), s.startColumn(), "COPY … FROM STDIN joined to other"
              + " commands by \\; cannot be sent with its data; end the COPY with ; on a line of its own"));
        }
        yield Optional.empty();
      }
      case SQL, NON_TRANSACTIONAL, TRANSACTION_CONTROL -> joinedTransactionControl(file, s);
      default -> Optional.empty();
    };
  }

  /**
   * A statement psql sends as one Query message holding several commands ({@code \;}) of which
   * one is transaction control: the server runs the message whole, so a joined {@code COMMIT}
   * commits what ran before it (and ends the change key's hold with it) however the statement's
   * first word reads, and a wrapper's BEGIN or COMMIT would take the commands joined to it out of
   * the run. A {@code COPY} that writes to the client or runs a program is refused joined as alone.
   * Only a text where something follows a {@code ;} outside quotes is split again; the quick look
   * reads strings as {@code standard_conforming_strings} on does, so a statement lexed with it off
   * (where {@code '\''} is one string) is always split again.
   */
  private static Optional<Diagnostic> joinedTransactionControl(String file, SqlStatement s) {
    String text = s.text();
    if (Boolean.TRUE.equals(s.standardConformingStrings()) && !StatementClassifier.mayHoldASecondCommand(text)) {
      return Optional.empty();
    }
    List<SqlStatement> commands = SqlSplitter.split(file, text, !Boolean.FALSE.equals(s.standardConformingStrings()))
        .statements();
    if (commands.size() < 2) {
      return Optional.empty();
    }
    for (SqlStatement command : commands) {
      if (command.kind() == StatementKind.TRANSACTION_CONTROL) {
        return Optional.of(new Diagnostic(file, s.startLine(), s.startColumn(), "`" + command.summary() + "` is transaction"
            + " control joined to other commands by \\; (psql sends them in one message, which the server runs whole):"
            + " cutter runs the artifact in one transaction it controls; remove it"));
      }
      if (command.kind() == StatementKind.SQL && copyRefused(command) != null) {
        return Optional.of(new Diagnostic(file, s.startLine(), s.startColumn(), "`" + command.summary() + "` joined to"
            + " other commands by \\;: " + copyRefused(command)));
      }
    }
    return Optional.empty();
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

  /** The verdict once every statement was accepted, with the splitter's own problems. */
  public Verdict finish(List<Diagnostic> splitProblems) {
    List<Diagnostic> rejections = new ArrayList<>(splitProblems);
    rejections.addAll(unrunnable);
    rejections.sort(SplitResult::byLine);
    Optional<ArtifactScript.Wrapper> wrapper = Optional.empty();
    boolean wrapped = bodyCount >= 2 && first != null && last != null
        && first.kind() == StatementKind.TRANSACTION_CONTROL && StatementClassifier.isPlainBegin(first.text())
        && last.kind() == StatementKind.TRANSACTION_CONTROL && StatementClassifier.isPlainCommit(last.text());
    if (wrapped) {
      if (mode == ApplySettings.Mode.TRANSACTION) {
        wrapper = Optional.of(new ArtifactScript.Wrapper(first.startLine(), last.startLine()));
      } else {
        rejections.add(new Diagnostic(file, first.startLine(), first.startColumn(), "the BEGIN … COMMIT wrapper (lines " + first.startLine() + "-"
            + last.endLine() + ") contradicts mode: autocommit, where each statement commits on its own;"
            + " remove the wrapper or use mode: transaction"));
      }
    }
    for (Indexed r : refused) {
      if (!wrapped || (r.index() != first.index() && r.index() != last.index())) {
        rejections.add(r.diagnostic());
      }
    }
    rejections.sort(SplitResult::byLine);
    return new Verdict(wrapped, wrapper, rejections);
  }

  /**
   * @param wrapped a BEGIN … COMMIT pair wraps the whole file: its first and last statements are left out
   * @param absorbedWrapper the wrapper, when the mode absorbs it
   * @param rejections every refusal, in line order
   */
  public record Verdict(boolean wrapped, Optional<ArtifactScript.Wrapper> absorbedWrapper, List<Diagnostic> rejections) {
    public Verdict {
      rejections = List.copyOf(rejections);
    }
  }
}
