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
    boolean signaturesRequired,
    Durations durations) {

  /**
   * How long each part took, in milliseconds: the signatures, the artifact hashes (computed on
   * their own threads from the start, alongside the signatures: wall time until the last was
   * known) and the expiry.
   */
  public record Durations(long signaturesMs, long artifactsMs, long expiryMs) {}

  public IntegrityResult(Path signatureFile, List<SignatureResult> signatures, QuorumResult quorum,
      List<ArtifactCheck> artifacts, ExpiryResult expiry, boolean signaturesRequired) {
    this(signatureFile, signatures, quorum, artifacts, expiry, signaturesRequired, null);
  }

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
