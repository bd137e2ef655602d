package dev.cutter.core.model;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;

/**
 * {@code PKG} is not a package at all: a path that does not exist (mistyped) or a file that is not a
 * package.yaml (e.g. the change's SQL). Exits 2 like any invalid input; there is no package to
 * report on, so a run writes no report for it.
 */
public final class NotAPackageException extends InvalidInputException {

  private static final long serialVersionUID = 1L;

  NotAPackageException(String given, String problem) {
    super(new Diagnostic(given, 0, 0, problem));
  }

  static NotAPackageException notFound(String given) {
    return new NotAPackageException(given,
        "package not found: no such directory or file (PKG is a package directory or its " + PackageLoader.FILE_NAME + ")");
  }

  static NotAPackageException notYaml(String given) {
    return new NotAPackageException(given, "not a package: PKG must be a package directory or its " + PackageLoader.FILE_NAME);
  }
}
