package dev.cutter.core.model;

import java.util.List;

/** The rollback artifact and the checks that must all hold before it may run. */
public record Rollback(ArtifactRef artifact, List<CheckSpec> precondition) {
  public Rollback {
    precondition = List.copyOf(precondition);
  }
}
