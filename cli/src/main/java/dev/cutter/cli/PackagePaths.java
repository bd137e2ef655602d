package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.model.PackageLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code PKG} on the command line: a package.yaml or the directory that holds it. */
final class PackagePaths {

  private PackagePaths() {}

  static Path packageYaml(Path pkg) {
    Path file = PackageLoader.packageFile(pkg);
    if (!Files.isRegularFile(file)) {
      throw CutterException.invalid(file + ": no such package file");
    }
    return file;
  }
}
