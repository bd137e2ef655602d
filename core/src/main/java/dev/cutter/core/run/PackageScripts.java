package dev.cutter.core.run;

import dev.cutter.core.CutterException;
import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.FileContent;
import dev.cutter.core.online.OnlineScript;
import dev.cutter.core.sql.ArtifactScript;
import dev.cutter.core.sql.SqlSplitter;
import dev.cutter.core.sql.SqlStatement;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A package's SQL, split as psql would and judged against the artifact rules: the change and
 * the rollback, from the bytes the loader read (the same bytes the integrity gate hashes; COPY …
 * FROM STDIN data included). Any rejection (transaction control, meta-commands, binary COPY data,
 * COPY … TO STDOUT or PROGRAM, non-transactional statements in transaction mode) makes the
 * package invalid (exit 2), with the artifact's file and line.
 */
public record PackageScripts(ArtifactScript change, Optional<ArtifactScript> rollback, Optional<OnlineScript> online) {

  public PackageScripts {
    online = online == null ? Optional.empty() : online;
  }

  /** The scripts of a package without an online step. */
  public PackageScripts(ArtifactScript change, Optional<ArtifactScript> rollback) {
    this(change, rollback, Optional.empty());
  }

  /** Splits and judges every artifact of {@code pkg}; throws {@link InvalidInputException} listing every rejection. */
  public static PackageScripts of(ApplyPackage pkg) {
    List<Diagnostic> problems = new ArrayList<>();
    ArtifactScript change = judge(pkg.artifact(), pkg.apply().mode(), problems);
    Optional<ArtifactScript> rollback = pkg.rollback()
        .map(r -> judge(r.artifact(), ApplySettings.Mode.TRANSACTION, problems));
    Optional<OnlineScript> online = pkg.online().map(o -> {
      OnlineScript s = online(o.artifact());
      problems.addAll(s.rejections());
      return s;
    });
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
    return new PackageScripts(change, rollback, online);
  }

  /** The online artifact split as psql would and judged against the online step's rules (see {@link OnlineScript}). */
  public static OnlineScript online(ArtifactRef ref) {
    return OnlineScript.of(ref);
  }

  private static ArtifactScript judge(ArtifactRef ref, ApplySettings.Mode mode, List<Diagnostic> problems) {
    ArtifactScript s = ArtifactScript.of(SqlSplitter.split(ref.path(), text(ref.content(), ref.path())), mode);
    problems.addAll(s.rejections());
    return s;
  }

  /**
   * The largest SQL script cutter reads (64 MiB): a script is split in memory, so a larger file
   * is refused up front with one line rather than exhausting the heap.
   */
  public static final long MAX_SCRIPT_BYTES = FileContent.MAX_ARTIFACT_BYTES;

  /**
   * Reads a script that is not pinned by the package (a dry-run's sandbox setup) as strict UTF-8;
   * refuses files over {@link #MAX_SCRIPT_BYTES}. Pinned artifacts are never read here: their
   * bytes come with the loaded package.
   */
  public static String read(Path file, String shownAs) {
    try {
      return text(FileContent.read(file, MAX_SCRIPT_BYTES), shownAs);
    } catch (FileContent.TooLargeException e) {
      throw new InvalidInputException(new Diagnostic(shownAs, 0, 0, "the script is " + e.size()
          + " bytes; cutter reads SQL scripts of at most " + MAX_SCRIPT_BYTES + " bytes (64 MiB)"));
    } catch (IOException e) {
      throw CutterException.invalid(shownAs + ": cannot read: " + e.getMessage());
    }
  }

  /** The bytes as strict UTF-8 (psql's client encoding for these files). */
  static String text(FileContent content, String shownAs) {
    return content.utf8()
        .orElseThrow(() -> new InvalidInputException(Diagnostic.notUtf8(shownAs)));
  }

  /** The statements as the executor sends them. */
  public static List<ExecStatement> statements(ArtifactScript script) {
    List<ExecStatement> out = new ArrayList<>();
    for (SqlStatement s : script.statements()) {
      out.add(new ExecStatement(s.index(), s.startLine(), s.text(), s.copyData(), s.standardConformingStrings()));
    }
    return out;
  }

  public List<ExecStatement> changeStatements() {
    return statements(change);
  }

  public List<ExecStatement> rollbackStatements() {
    return rollback.map(PackageScripts::statements).orElse(List.of());
  }
}
