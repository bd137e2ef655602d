package dev.cutter.core.integrity;

/** What one detached signature over package.yaml amounts to under the trust policy. */
public enum SignatureStatus {
  VALID("valid"),
  BAD_SIGNATURE("bad signature"),
  UNKNOWN_KEY("unknown key"),
  EXPIRED_KEY("expired key"),
  REVOKED_KEY("revoked key"),
  NOT_SIGNING_KEY("key not for signing"),
  MALFORMED("malformed"),
  /** No trust policy was available to judge it (dry-run only). */
  UNCHECKED("not checked");

  private final String label;

  SignatureStatus(String label) {
    this.label = label;
  }

  /** The words printed for it, e.g. {@code bad signature}. */
  public String label() {
    return label;
  }

  /** A result that must stop the run even when the quorum is met: someone tampered or the file is damaged. */
  public boolean isTamperEvidence() {
    return this == BAD_SIGNATURE || this == MALFORMED;
  }
}
