package dev.cutter.report;

import dev.cutter.core.Background;
import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.model.Sha256;
import dev.cutter.core.run.RunIds;
import dev.cutter.core.run.RunReport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes {@code <report-dir>/<package-id>/<run-id>.yaml} and {@code .md} (SPEC section 5), after
 * the secret scan. Reports can hold row data, so each file is created 0600 and exclusively: it is
 * written under a fresh temporary name (never following a symbolic link) and then linked to its
 * final name, which fails rather than replace or follow anything already there. A reader never
 * sees half a report.
 */
public final class ReportWriter {

  private static final Pattern PACKAGE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{2,127}");
  /** The directory of reports whose package id is unknown or unusable as a directory name. */
  static final String UNKNOWN_PACKAGE_DIR = "_unknown";

  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path reportDir;
  private final SecretScanner scanner;
  private final boolean showValues;

  public ReportWriter(Path reportDir, SecretScanner scanner) {
    this(reportDir, scanner, false);
  }

  /** @param showValues keep the row values the server quotes in errors ({@code --show-values}); the report says so */
  public ReportWriter(Path reportDir, SecretScanner scanner, boolean showValues) {
    this.reportDir = reportDir;
    this.scanner = scanner;
    this.showValues = showValues;
  }

  /** A report rendered and scanned, not yet on disk: what would be written, and its YAML's sha256. */
  public record Rendered(Path yaml, Path markdown, String yamlText, String markdownText, String yamlSha256,
      ScannedReport scanned) {}

  /**
   * Scans and writes the report.
   *
   * @throws CutterException (exit 1) when the files cannot be written
   */
  public WrittenReport write(RunReport report) {
    return write(render(report));
  }

  /** Scans and renders the report without writing it. */
  public Rendered render(RunReport report) {
    return render(report, null);
  }

  /**
   * Scans and renders the report without writing it, taking the statement rows {@code ahead} made
   * ready when they are the report's own (null: none made).
   */
  public Rendered render(RunReport report, RowsAhead ahead) {
    if (!RunIds.isValid(report.runId())) {
      throw new IllegalArgumentException("run id '" + report.runId() + "' is not of the form " + RunIds.PATTERN);
    }
    ScannedReport scanned = ScannedReport.scan(report, scanner, showValues, ahead);
    // the two renderings read the same scanned tree and nothing else: the Markdown on a second thread
    java.util.concurrent.FutureTask<String> md = Background.start("cutter-report-markdown",
        () -> scanner.mask(ReportRenderer.markdown(scanned)));
    String yaml = scanner.mask(ReportCodec.yaml(scanned));
    String markdown = Background.await(md, RuntimeException.class); // rendered whole, also when interrupted
    Path dir = reportDir.resolve(packageDir(report));
    return new Rendered(dir.resolve(report.runId() + ".yaml"), dir.resolve(report.runId() + ".md"), yaml, markdown,
        Sha256.of(yaml.getBytes(StandardCharsets.UTF_8)), scanned);
  }

  /**
   * Writes a rendered report.
   *
   * @throws CutterException (exit 1) when the files cannot be written
   */
  public WrittenReport write(Rendered r) {
    Path dir = r.yaml().getParent();
    try {
      Files.createDirectories(dir);
      createExclusively(r.yaml(), r.yamlText().getBytes(StandardCharsets.UTF_8));
      createExclusively(r.markdown(), r.markdownText().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CutterException(ExitCodes.INTERNAL, "the report could not be written to "
          + scanner.tildeHome(dir.toString()) + ": " + describe(e), e);
    }
    return new WrittenReport(r.yaml(), r.markdown(), r.yamlSha256(), r.scanned());
  }

  /**
   * Proves that a report of package {@code packageId} can be written: creates the directory it
   * goes to, creates a probe file there exclusively and removes it. Called before a run connects,
   * so that a change never commits without its report.
   *
   * @throws IOException naming what failed
   */
  public Path probe(String packageId) throws IOException {
    Path dir = reportDir.resolve(packageDir(packageId));
    Files.createDirectories(dir);
    Path probe = dir.resolve(".cutter-probe-" + Long.toHexString(RANDOM.nextLong()) + ".tmp");
    try (SeekableByteChannel ch = Files.newByteChannel(probe, CREATE_NEW, modeOf(dir))) {
      ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
    } finally {
      Files.deleteIfExists(probe);
    }
    return dir;
  }

  static String packageDir(RunReport report) {
    return packageDir(report.pkg() == null ? null : report.pkg().id());
  }

  private static String packageDir(String id) {
    return id != null && PACKAGE_ID.matcher(id).matches() ? id : UNKNOWN_PACKAGE_DIR;
  }

  /** Options of a new private file: exclusive, not through a symbolic link. */
  private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
      LinkOption.NOFOLLOW_LINKS);

  /**
   * Writes {@code bytes} to a new 0600 file under a fresh temporary name, then gives it its final
   * name with a hard link, which fails when anything (a file, a symbolic link) has that name.
   */
  private static void createExclusively(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
    FileAttribute<?>[] mode = modeOf(target.getParent());
    try {
      writeNew(tmp, bytes, mode);
      try {
        Files.createLink(target, tmp);
      } catch (FileAlreadyExistsException e) {
        throw e;
      } catch (UnsupportedOperationException | FileSystemException e) {
        // no hard links on this file system: create the final name itself, still exclusively and 0600
        writeNew(target, bytes, mode);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void writeNew(Path file, byte[] bytes, FileAttribute<?>[] mode) throws IOException {
    try (FileChannel ch = FileChannel.open(file, CREATE_NEW, mode)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
  }

  private static FileAttribute<?>[] modeOf(Path dir) {
    boolean posix = dir != null && dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)} : new FileAttribute<?>[0];
  }

  private static String describe(IOException e) {
    if (e instanceof FileAlreadyExistsException f) {
      return f.getFile() + " already exists (a report is never written over anything, nor through a link)";
    }
    return String.valueOf(e.getMessage());
  }
}
