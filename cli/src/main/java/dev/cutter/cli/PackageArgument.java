package dev.cutter.cli;

import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/** {@code PKG}: a package directory or its package.yaml. */
final class PackageArgument {

  @Parameters(index = "0", paramLabel = "PKG", description = "The package directory or its package.yaml.")
  Path path;

  Path path() {
    return path;
  }
}
