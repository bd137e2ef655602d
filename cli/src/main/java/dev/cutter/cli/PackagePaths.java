package dev.cutter.cli;

import dev.cutter.core.model.PackageLoader;
import java.nio.file.Path;

/** {@code PKG} on the command line: a package.yaml or the directory that holds it. */
final class PackagePaths {

  private PackagePaths() {}

  static Path packageYaml(Path pkg) {
    return PackageLoader.existingPackageFile(pkg);
  }
}
