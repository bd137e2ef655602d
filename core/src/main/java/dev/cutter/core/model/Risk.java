package dev.cutter.core.model;

import java.util.Locale;

/** The approver's risk rating. */
public enum Risk {
  LOW, MEDIUM, HIGH, CRITICAL;

  /** The spelling used in package.yaml and reports. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
