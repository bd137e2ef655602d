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

  /** Judges a split artifact for a package that runs in {@code mode} (the rules are {@link ScriptJudge}'s). */
  public static ArtifactScript of(SplitResult split, ApplySettings.Mode mode) {
    ScriptJudge judge = new ScriptJudge(split.sourceName(), mode);
    List<SqlStatement> body = new ArrayList<>();
    for (SqlStatement s : split.statements()) {
      judge.accept(s);
      if (s.kind() != StatementKind.EMPTY && !s.inertMetaCommand()) {
        body.add(s);
      }
    }
    ScriptJudge.Verdict verdict = judge.finish(split.problems());
    if (verdict.wrapped()) {
      body = new ArrayList<>(body.subList(1, body.size() - 1));
    }
    return new ArtifactScript(split.sourceName(), body, verdict.absorbedWrapper(), verdict.rejections());
  }
}
