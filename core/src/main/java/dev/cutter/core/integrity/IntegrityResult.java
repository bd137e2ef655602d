package dev.cutter.core.integrity;

import java.nio.file.Path;
import java.util.List;

/**
 * The integrity gate's findings, for the report to render: every signature in
 * package.yaml.asc, the quorum, every pinned file's hash (package.yaml itself first, then the
 * artifacts), and the authorization expiry. {@code signaturesRequired} is false for dry-run,
 * where signatures are reported but do not decide the outcome.
 */
public record IntegrityResult(
    Path signatureFile,
    List<SignatureResult> signatures,
    QuorumResult quorum,
    List<ArtifactCheck> artifacts,
    ExpiryResult expiry,
    boolean signaturesRequired) {

  public IntegrityResult {
    signatures = List.copyOf(signatures);
    artifacts = List.copyOf(artifacts);
  }

  /** Quorum met and no bad or malformed signature (a bad signature is never outvoted). */
  public boolean signaturesPassed() {
    return quorum.passed() && signatures.stream().noneMatch(s -> s.status().isTamperEvidence());
  }

  public boolean artifactsPassed() {
    return artifacts.stream().allMatch(ArtifactCheck::matches);
  }

  public boolean passed() {
    return (!signaturesRequired || signaturesPassed()) && artifactsPassed() && expiry.passed();
  }

  /** Primary fingerprints of the signers counted toward the quorum, for the report's {@code signed_by}. */
  public List<String> signedBy() {
    return quorum.signers();
  }
}
