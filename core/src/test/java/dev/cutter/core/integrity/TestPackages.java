package dev.cutter.core.integrity;

import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.fixtures.MinimalPackage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** A minimal package on disk, loaded as a run loads it: its bytes are read once, here. */
final class TestPackages {

  private TestPackages() {}

  static ApplyPackage write(Path dir, Instant expiresAt) {
    MinimalPackage.write(dir, expiresAt);
    return load(dir);
  }

  /** Loads (again) whatever the package directory holds now. */
  static ApplyPackage load(Path dir) {
    return new PackageLoader(List.of()).load(dir);
  }
}
