package dev.cutter.core.integrity;

/** What one detached signature over package.yaml amounts to under the trust policy. */
public enum SignatureStatus {
  VALID("valid"),
  BAD_SIGNATURE("bad signature"),
  /**
   * An approver's key, and a signature that does not verify over the current package.yaml because it
   * was made over other bytes (its recorded digest prefix differs): typically signed before the
   * package was edited and re-hashed. Still tamper evidence: it is never outvoted.
   */
  STALE("made over other bytes"),
  UNKNOWN_KEY("unknown key"),
  EXPIRED_KEY("expired key"),
  REVOKED_KEY("revoked key"),
  NOT_SIGNING_KEY("key not for signing"),
  /** The key, or its primary, is below today's minimum (RSA/DSA under 2048 bits, ElGamal, a curve not accepted). */
  WEAK_KEY("weak key"),
  /** Past the expiration time the signature itself carries. */
  SIGNATURE_EXPIRED("signature expired"),
  /** Created more than {@link #FUTURE_TOLERANCE} after the run's clock. */
  FUTURE_SIGNATURE("dated in the future"),
  /** A key of the keyring that no approver of the trust policy lists. */
  NOT_AN_APPROVER("key of no approver"),
  MALFORMED("malformed"),
  /** No trust policy was available to judge it (dry-run only). */
  UNCHECKED("not checked");

  /** How far a signature's creation time may lie ahead of the run's clock (clock skew between hosts). */
  public static final java.time.Duration FUTURE_TOLERANCE = java.time.Duration.ofMinutes(5);

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
    return this == BAD_SIGNATURE || this == STALE || this == MALFORMED;
  }
}
