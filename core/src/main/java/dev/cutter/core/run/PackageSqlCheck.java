package dev.cutter.core.run;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.sql.ScriptJudge;
import dev.cutter.core.sql.Utf8Splitter;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;

/**
 * The judgement {@link PackageScripts#of} makes of a package's SQL, without keeping its
 * statements: each artifact is split where apply's splitter splits it, over the UTF-8 bytes the
 * loader read ({@link Utf8Splitter}, nothing decoded but the statements whose first word
 * matters), and every statement is handed to the same {@link ScriptJudge} as it ends, so only
 * the refusals are held. {@code package verify} runs it next to the integrity gate: a package
 * apply would refuse is refused there too.
 */
public final class PackageSqlCheck {

  private PackageSqlCheck() {}

  /** Throws {@link InvalidInputException} listing every refusal, exactly as {@link PackageScripts#of} would. */
  public static void check(ApplyPackage pkg) {
    List<Diagnostic> problems = new ArrayList<>();
    judge(pkg.artifact(), pkg.apply().mode(), problems);
    pkg.rollback().ifPresent(r -> judge(r.artifact(), ApplySettings.Mode.TRANSACTION, problems));
    // The online artifact is a handful of index builds: judged by the apply path's own code.
    pkg.online().ifPresent(o -> problems.addAll(PackageScripts.online(o.artifact()).rejections()));
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
  }

  private static void judge(ArtifactRef ref, ApplySettings.Mode mode, List<Diagnostic> problems) {
    ScriptJudge judge = new ScriptJudge(ref.path(), mode);
    List<Diagnostic> split;
    try {
      split = ref.content().readInPlace((bytes, length) -> Utf8Splitter.scan(ref.path(), bytes, length, judge));
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(Diagnostic.notUtf8(ref.path()));
    }
    problems.addAll(judge.finish(split).rejections());
  }
}
