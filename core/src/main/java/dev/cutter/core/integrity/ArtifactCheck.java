package dev.cutter.core.integrity;

import java.nio.file.Path;
import java.util.Optional;

/**
 * P3: the sha256 pinned for one file against the sha256 of its bytes now. {@code actual} is
 * empty when the file could not be read, and {@code problem} says why.
 */
public record ArtifactCheck(String path, Path resolved, String expected, Optional<String> actual, String problem) {

  public boolean matches() {
    return actual.isPresent() && actual.get().equalsIgnoreCase(expected);
  }
}
