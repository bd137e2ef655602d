package dev.cutter.core.model;

import java.nio.file.Path;
import java.util.List;

/**
 * Dry-run only: scripts (resolved paths inside the package) run on the throwaway server before
 * anything else, as a sandbox administrator that is not a superuser. They never touch a real
 * target, so they are not hash-pinned.
 */
public record Sandbox(List<Path> setup) {
  public Sandbox {
    setup = List.copyOf(setup);
  }

  public static Sandbox empty() {
    return new Sandbox(List.of());
  }
}
