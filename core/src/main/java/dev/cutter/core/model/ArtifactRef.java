package dev.cutter.core.model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file pinned by the package: {@code path} as written (relative to package.yaml),
 * {@code resolved} the absolute path inside the package directory, {@code sha256} 64 lowercase
 * hex, where the {@code sha256} value stands in package.yaml (where the artifact mapping stands
 * when none is written), and {@code content}, the file's bytes as the loader read them: the
 * integrity gate hashes them and every later step runs them; the file is not read again.
 * {@code sha256} is empty only in a package read with {@link PackageLoader#loadIgnoringHashes},
 * which {@code cutter package hash} uses.
 */
public record ArtifactRef(String path, Path resolved, String sha256, SourcePosition position, FileContent content) {

  public ArtifactRef {
    Objects.requireNonNull(content, "content");
  }
}
