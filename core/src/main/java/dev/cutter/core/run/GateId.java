package dev.cutter.core.run;

import java.util.Locale;

/** The gates of a run; {@link #id()} is the string a report shows (and {@link GateIds} names). */
public enum GateId {
  SIGNATURE("signature"),
  ARTIFACT_INTEGRITY("P3_artifact_integrity"),
  AUTHORIZATION("authorization"),
  TLS("tls"),
  LOCK("lock"),
  IDENTITY("identity"),
  JOURNAL("journal"),
  PREFLIGHT("P1_preflight"),
  BACKUP("P2_backup"),
  BLOCKERS("blockers"),
  APPLY("apply"),
  ONLINE("online"),
  VERIFY("verify"),
  ROLLBACK("rollback");

  private final String id;

  GateId(String id) {
    this.id = id;
  }

  /** The id as reports show it, e.g. {@code P1_preflight}. */
  public String id() {
    return id;
  }

  /** The gate whose report id is {@code id}; a gate id no enum constant names is refused. */
  public static GateId of(String id) {
    for (GateId g : values()) {
      if (g.id.equals(id)) {
        return g;
      }
    }
    throw new IllegalArgumentException("unknown gate id " + id + ": add it to GateId (and GateIds) "
        + String.valueOf(id).toUpperCase(Locale.ROOT));
  }
}
