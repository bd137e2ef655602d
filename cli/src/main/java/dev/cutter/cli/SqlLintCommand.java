package dev.cutter.cli;

import dev.cutter.core.ExitCodes;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.lint.LintCatalog;
import dev.cutter.core.lint.LintFinding;
import dev.cutter.core.lint.LintPolicy;
import dev.cutter.core.lint.LockHazardLinter;
import dev.cutter.core.sql.SplitResult;
import dev.cutter.core.sql.SqlSplitter;
import dev.cutter.core.sql.StatementKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cutter sql lint FILE}: the lock-hazard rules on a SQL file, without a database: every
 * table the file does not create is taken to exist, a type change to rewrite, and volatility
 * comes from the common volatile functions. {@code cutter preflight} judges against the target's
 * catalog and the package's policy.
 */
@Command(
    name = "lint",
    mixinStandardHelpOptions = true,
    header = "List the lock hazards of a SQL file (docs/lock-safety.md), judged without a database.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no finding the default policy denies (warnings may be listed)",
      "2:the file is missing or unreadable, or cannot be split",
      "3:a finding the default policy denies (severity error)"
    })
final class SqlLintCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The SQL file (UTF-8).")
  Path file;

  @Override
  public Integer call() {
    SplitResult result = SqlSplitter.split(file.toString(), SqlSplitCommand.read(file));
    if (!result.unrunnable().isEmpty()) {
      throw new InvalidInputException(result.unrunnable());
    }
    List<ExecStatement> statements = result.statements().stream()
        .filter(s -> s.kind() == StatementKind.SQL || s.kind() == StatementKind.NON_TRANSACTIONAL)
        .map(s -> new ExecStatement(s.index(), s.startLine(), s.text())).toList();
    List<LintFinding> findings = LintPolicy.DEFAULT.judge(
        LockHazardLinter.lint(file.toString(), statements, LintCatalog.textOnly()), Set.of());
    PrintWriter out = spec.commandLine().getOut();
    for (LintFinding f : findings) {
      out.println(CutterCommand.visible(f.where() + ": " + f.rule().id() + " (" + f.severity().yamlName() + (f.denied() ? ", denied" : "")
          + "): " + f.detail() + (f.predictedLock() == null ? "" : "; takes " + f.predictedLock()) + ". Safe way: "
          + f.rule().fix()));
    }
    long denied = findings.stream().filter(LintFinding::denied).count();
    out.println(findings.size() + " finding(s), " + denied + " denied by default");
    out.flush();
    return denied > 0 ? ExitCodes.CHECKS_FAILED : ExitCodes.OK;
  }
}
