package dev.cutter.cli;

import dev.cutter.core.CutterException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code PKG} on the command line: a package.yaml or the directory that holds it. */
final class PackagePaths {

  static final String PACKAGE_FILE = "package.yaml";

  private PackagePaths() {}

  static Path packageYaml(Path pkg) {
    Path file = Files.isDirectory(pkg) ? pkg.resolve(PACKAGE_FILE) : pkg;
    if (!Files.isRegularFile(file)) {
      throw CutterException.invalid(file + ": no such package file");
    }
    return file;
  }
}
