package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.Preflight;
import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.integrity.IntegrityResult;
import dev.cutter.core.integrity.IntegrityVerifier;
import dev.cutter.core.integrity.TrustPolicy;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.sql.ArtifactScript;
import dev.cutter.core.sql.SqlSplitter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cutter preflight PKG}: the gates before any change, read-only: load, integrity
 * (signatures, hashes, expiry) and P1 (identity, journal, the package's checks, the privileges the
 * artifact needs). Prints one line per check and exits 0 when every one holds, 3 when any fails.
 */
@Command(name = "preflight", mixinStandardHelpOptions = true,
    description = "Run the integrity gates and the P1 preflight checks against the target, read-only; no backup, no change.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every gate and check held", "2:invalid invocation or invalid package",
        "3:a gate or check did not hold (BLOCKED)"})
final class PreflightCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PKG", description = "The package's package.yaml or its directory.")
  Path pkg;

  @Mixin ConnectionOptions connection;

  @Mixin TrustOptions trust;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ApplyPackage p = PackageLoader.withInstalledChecks().load(PackagePaths.packageYaml(pkg));
    List<ExecStatement> statements = statements(p);
    TrustPolicy.Location where = trust.locate();
    IntegrityResult integrity = where.file().isPresent()
        ? IntegrityVerifier.verify(p, TrustPolicy.load(where.file().get()), Instant.now())
        : IntegrityVerifier.verifyWithoutPolicy(p, where.describeSearch(), Instant.now());
    IntegrityText.print(integrity, out);
    if (!integrity.passed()) {
      out.println("P1 preflight: NOT_RUN (the integrity gate refused the package)");
      out.println("preflight: BLOCKED");
      out.flush();
      return ExitCodes.CHECKS_FAILED;
    }
    ConnectionSpec target = connection.resolve();
    ConnectionResolver resolver = ConnectionResolver.fromProcess();
    Preflight.Outcome outcome = new Preflight(Preflight.installedTypes(), x -> statements, resolver::passwordFor,
        Preflight.DEFAULT_PARALLELISM).run(target, p, statements, false);
    outcome.results().forEach(r -> out.println(line(r)));
    out.println("P1 preflight: " + (outcome.passed() ? "PASS" : "FAIL"));
    out.println("preflight: " + (outcome.passed() ? "PASS" : "BLOCKED") + " (" + target.display() + ", read-only, nothing changed)");
    out.flush();
    return outcome.passed() ? ExitCodes.OK : ExitCodes.CHECKS_FAILED;
  }

  /** {@code PASS identity  expected … actual …}, then the message when there is one. */
  static String line(CheckResult r) {
    StringBuilder b = new StringBuilder(String.format("%-7s %s", r.status(), r.id()));
    if (r.expected() != null) {
      b.append("  expected ").append(r.expected());
    }
    if (r.actual() != null) {
      b.append("  actual ").append(r.actual());
    }
    if (r.message() != null) {
      b.append(r.expected() == null && r.actual() == null ? "  " : "  — ").append(r.message());
    }
    return b.toString();
  }

  /** The artifact's statements as apply sends them; a rejected artifact is an invalid package (exit 2). */
  static List<ExecStatement> statements(ApplyPackage p) {
    Path file = p.artifact().resolved();
    ArtifactScript script = ArtifactScript.of(SqlSplitter.split(p.artifact().path(), read(file)), p.apply().mode());
    if (!script.runnable()) {
      throw new InvalidInputException(script.rejections());
    }
    return script.statements().stream().map(s -> new ExecStatement(s.index(), s.startLine(), s.text())).toList();
  }

  private static String read(Path file) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw CutterException.invalid(file + ": not valid UTF-8; save the artifact as UTF-8");
    } catch (IOException e) {
      throw CutterException.invalid(file + ": cannot read the artifact: " + e.getMessage());
    }
  }
}
