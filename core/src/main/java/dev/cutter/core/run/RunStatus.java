package dev.cutter.core.run;

import java.util.Arrays;

/**
 * The states a report's sections record, as enums; {@link Label#label()} is the string the report
 * writes (as before), {@link #of} reads it back.
 */
public final class RunStatus {

  private RunStatus() {}

  /** The string a report writes. */
  public interface Label {
    String label();
  }

  /** The label of {@code l}; null for null. */
  public static String label(Label l) {
    return l == null ? null : l.label();
  }

  /** The value of {@code type} whose label is {@code label}; null for null. */
  public static <E extends Enum<E> & Label> E of(Class<E> type, String label) {
    if (label == null) {
      return null;
    }
    return Arrays.stream(type.getEnumConstants()).filter(e -> e.label().equals(label)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(type.getSimpleName() + ": not one of "
            + Arrays.stream(type.getEnumConstants()).map(Label::label).toList()));
  }

  /** The apply step's outcome. */
  public enum Apply implements Label {
    PASS, FAIL, FAILED, BLOCKED;

    @Override
    public String label() {
      return name();
    }
  }

  /** What became of the apply's transaction. */
  public enum Transaction implements Label {
    COMMITTED, ROLLED_BACK, PARTIALLY_COMMITTED, UNKNOWN, NONE;

    @Override
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The rollback's outcome. */
  public enum Rollback implements Label {
    NOT_RUN, NOT_APPLICABLE, EXECUTED, FAILED;

    @Override
    public String label() {
      return name();
    }
  }

  /** The P2 backup's outcome. */
  public enum Backup implements Label {
    PASS, FAIL, FAILED;

    @Override
    public String label() {
      return name();
    }
  }

  /** The verification's outcome; UNCHANGED/CHANGED after a failed apply. */
  public enum Verification implements Label {
    PASS, FAIL, NOT_VERIFIED, UNCHANGED, CHANGED;

    @Override
    public String label() {
      return name();
    }
  }
}
