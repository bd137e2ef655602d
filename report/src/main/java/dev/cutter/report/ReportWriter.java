package dev.cutter.report;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.run.RunIds;
import dev.cutter.core.run.RunReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Writes {@code <report-dir>/<package-id>/<run-id>.yaml} and {@code .md} (SPEC section 5), after
 * the secret scan. Each file is written to a temporary name and moved into place, so a reader
 * never sees half a report.
 */
public final class ReportWriter {

  private static final Pattern PACKAGE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{2,127}");
  /** The directory of reports whose package id is unknown or unusable as a directory name. */
  static final String UNKNOWN_PACKAGE_DIR = "_unknown";

  private final Path reportDir;
  private final SecretScanner scanner;

  public ReportWriter(Path reportDir, SecretScanner scanner) {
    this.reportDir = reportDir;
    this.scanner = scanner;
  }

  /**
   * Scans and writes the report.
   *
   * @throws CutterException (exit 1) when the files cannot be written
   */
  public WrittenReport write(RunReport report) {
    if (!RunIds.isValid(report.runId())) {
      throw new IllegalArgumentException("run id '" + report.runId() + "' is not of the form " + RunIds.PATTERN);
    }
    ScannedReport scanned = ScannedReport.scan(report, scanner);
    String yaml = scanner.mask(ReportCodec.yaml(scanned));
    String markdown = scanner.mask(ReportRenderer.markdown(scanned));
    byte[] yamlBytes = yaml.getBytes(StandardCharsets.UTF_8);
    Path dir = reportDir.resolve(packageDir(report));
    Path yamlPath = dir.resolve(report.runId() + ".yaml");
    Path mdPath = dir.resolve(report.runId() + ".md");
    try {
      Files.createDirectories(dir);
      writeAtomically(yamlPath, yamlBytes);
      writeAtomically(mdPath, markdown.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CutterException(ExitCodes.INTERNAL, "the report could not be written to "
          + scanner.tildeHome(dir.toString()) + ": " + scanner.mask(String.valueOf(e.getMessage())), e);
    }
    return new WrittenReport(yamlPath, mdPath, sha256(yamlBytes), scanned);
  }

  static String packageDir(RunReport report) {
    String id = report.pkg() == null ? null : report.pkg().id();
    return id != null && PACKAGE_ID.matcher(id).matches() ? id : UNKNOWN_PACKAGE_DIR;
  }

  private static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
