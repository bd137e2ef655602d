package dev.cutter.core.integrity;

import java.time.Instant;
import java.util.Optional;

/**
 * One signature found in package.yaml.asc. {@code index} counts signatures from 1 in file order;
 * {@code fingerprint} is the signer's PRIMARY key fingerprint (40 upper-case hex) when the key is
 * in the keyring, else the issuer key id as the signature names it; {@code userId} the key's
 * primary user id or empty; {@code signingKey} the fingerprint of the (sub)key that made it;
 * {@code detail} says why when the status is not VALID (and notes a repeated approver);
 * {@code approver} the trust policy's approver who holds the key, when one does.
 */
public record SignatureResult(
    int index,
    SignatureStatus status,
    String fingerprint,
    Optional<String> userId,
    Optional<String> signingKey,
    Optional<Instant> createdAt,
    String detail,
    Optional<String> approver) {

  public boolean valid() {
    return status == SignatureStatus.VALID;
  }

  static SignatureResult malformed(int index, String detail) {
    return new SignatureResult(index, SignatureStatus.MALFORMED, "-", Optional.empty(), Optional.empty(), Optional.empty(), detail, Optional.empty());
  }
}
