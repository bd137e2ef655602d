package dev.cutter.core.lint;

import java.util.Locale;

/** How bad a finding is; by default an {@link #ERROR} is denied, the others are reported. */
public enum Severity {
  ERROR,
  WARNING,
  INFO;

  /** The name as the report and the docs write it: {@code error}, {@code warning}, {@code info}. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
