package dev.cutter.core.model;

import java.nio.file.Path;

/**
 * A file pinned by the package: {@code path} as written (relative to package.yaml),
 * {@code resolved} the absolute path inside the package directory, {@code sha256} 64 lowercase
 * hex, and where the {@code sha256} value stands in package.yaml.
 */
public record ArtifactRef(String path, Path resolved, String sha256, SourcePosition position) {}
