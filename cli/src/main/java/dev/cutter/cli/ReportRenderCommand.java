package dev.cutter.cli;

import dev.cutter.core.ExitCodes;
import dev.cutter.report.ReportCodec;
import dev.cutter.report.ReportRenderer;
import dev.cutter.report.ScannedReport;
import dev.cutter.report.SecretScanner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cutter report render REPORT.yaml --format md|html|yaml|json|sarif}: re-renders a written report to stdout. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Re-render a report YAML as Markdown, a self-contained HTML page, YAML, JSON or SARIF 2.1.0 (with --package), on stdout.",
      "The report is scanned for secrets again before it is printed."
    })
public final class ReportRenderCommand implements Callable<Integer> {

  /** What {@code --format} accepts. */
  enum Format { md, html, yaml, json, sarif }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "REPORT.yaml", description = "A report written by cutter.")
  Path report;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "md",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format = Format.md;

  @Option(names = "--package", paramLabel = "PKG",
      description = "The package the report is of (package.yaml or its directory); needed for --format sarif, which"
          + " locates each finding in the package's files.")
  Path pkg;

  @Override
  public Integer call() {
    SecretScanner scanner = SecretScanner.forEnvironment(System.getenv(), System.getProperty("user.home"));
    ScannedReport scanned = ReportCodec.read(report, scanner);
    String text = switch (format) {
      case md -> ReportRenderer.markdown(scanned);
      case html -> ReportRenderer.html(scanned);
      case yaml -> ReportCodec.yaml(scanned);
      case json -> ReportCodec.json(scanned);
      case sarif -> SarifOutput.render(scanned, packageForSarif().pkg());
    };
    PrintWriter out = spec.commandLine().getOut();
    out.print(text);
    out.flush();
    return ExitCodes.OK;
  }

  private RunSupport.Loaded packageForSarif() {
    if (pkg == null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--format sarif needs --package PKG: SARIF locates each finding in the package's files");
    }
    return RunSupport.load(pkg);
  }
}
