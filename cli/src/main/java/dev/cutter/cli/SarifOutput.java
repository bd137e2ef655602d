package dev.cutter.cli;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.report.PackageLocator;
import dev.cutter.core.run.RunReport;
import dev.cutter.report.SarifLog;
import dev.cutter.report.SecretScanner;
import dev.cutter.report.ScannedReport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** SARIF for code scanning, from a scanned report and the package it is of (SarifLog, PackageLocator). */
final class SarifOutput {

  private SarifOutput() {}

  /**
   * The report's findings located in {@code pkg}'s files, paths relative to the working directory
   * (where a code-scanning upload runs) when the package lies under it.
   */
  static String render(ScannedReport report, ApplyPackage pkg) {
    return render(report, pkg, null, null);
  }

  /**
   * As {@link #render(ScannedReport, ApplyPackage)}, with the typed causes of {@code run} (the
   * in-memory run the report was written from): one result per missing privilege; what is taken
   * from it is masked by {@code scanner}, as the report was.
   */
  static String render(ScannedReport report, ApplyPackage pkg, RunReport run, SecretScanner scanner) {
    if (report.report().pkg() != null && report.report().pkg().sha256() != null
        && !report.report().pkg().sha256().equals(pkg.sha256())) {
      throw new InvalidInputException(new Diagnostic(pkg.file().toString(), 0, 0, "not the package of this report: its"
          + " sha256 is " + pkg.sha256() + ", the report's package is " + report.report().pkg().sha256()));
    }
    String version = new VersionProvider().getVersion()[0].replaceFirst("^cutter ", "");
    return SarifLog.of(report, new PackageLocator(pkg, Path.of("").toAbsolutePath()), scanner == null ? null : run,
        scanner == null ? t -> t : scanner::mask).json(version);
  }

  /** Writes {@code text} to {@code file}, replacing a regular file; never through a symbolic link. */
  static void write(Path file, String text) {
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new InvalidInputException(new Diagnostic(file.toString(), 0, 0, "cannot write the SARIF file: "
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage())));
    }
  }
}
