package dev.cutter.core.integrity;

import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.FileContent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * The integrity gate (SPEC section 3, step 2), offline: detached signatures over the exact bytes
 * of package.yaml the loader parsed against the trust policy's keyring and quorum, the sha256 of
 * those bytes and of every artifact's loaded bytes (P3), and the authorization's expiry. Returns findings; never throws for a
 * failed check.
 */
public final class IntegrityVerifier {

  private static final BcPGPContentVerifierBuilderProvider VERIFIERS = new BcPGPContentVerifierBuilderProvider();

  private static final Executor HASHING = task -> {
    Thread t = new Thread(task, "cutter-artifact-hash");
    t.setDaemon(true);
    t.start();
  };

  private IntegrityVerifier() {}

  /** The gate as apply and preflight run it: signatures are required. */
  public static IntegrityResult verify(ApplyPackage pkg, TrustPolicy policy, Instant now) {
    return run(pkg, Optional.of(policy), "", true, now);
  }

  /** The gate when no trust policy was found: it fails, and {@code whyNoPolicy} says where cutter looked. */
  public static IntegrityResult verifyWithoutPolicy(ApplyPackage pkg, String whyNoPolicy, Instant now) {
    return run(pkg, Optional.empty(), whyNoPolicy, true, now);
  }

  /**
   * The gate as dry-run runs it: signatures are judged against the policy when there is one and
   * reported, but do not decide the outcome; hashes and expiry still do.
   */
  public static IntegrityResult verifyForDryRun(ApplyPackage pkg, Optional<TrustPolicy> policy, Instant now) {
    return run(pkg, policy, policy.isPresent() ? "" : "no trust policy (dry-run: signatures not required)", false, now);
  }

  /** Where the signatures of a package.yaml are kept. */
  public static Path signatureFileOf(Path packageYaml) {
    return packageYaml.resolveSibling(packageYaml.getFileName() + ".asc");
  }

  private static IntegrityResult run(
      ApplyPackage pkg, Optional<TrustPolicy> policy, String noPolicy, boolean required, Instant now) {
    long begun = System.nanoTime();
    // Large artifacts are hashed on their own threads while the signatures are checked here.
    List<CompletableFuture<ArtifactCheck>> hashing = pkg.artifacts().stream()
        .map(a -> CompletableFuture.supplyAsync(() -> hash(a.path(), a.resolved(), a.sha256(), a.content()), HASHING)).toList();
    List<ArtifactCheck> artifacts = new ArrayList<>();
    // The signatures are checked over the bytes the loader parsed, never over a second read of the file.
    byte[] packageBytes = pkg.source().toByteArray();
    artifacts.add(hash(pkg.file().getFileName().toString(), pkg.file(), pkg.sha256(), pkg.source()));
    Path asc = signatureFileOf(pkg.file());
    long signaturesBegun = System.nanoTime();
    SignatureFile.Contents contents = SignatureFile.read(asc);
    List<SignatureResult> signatures = new ArrayList<>();
    Map<Long, KeyValidity.Assessment> assessed = new HashMap<>();
    int index = 0;
    for (PGPSignature sig : contents.signatures()) {
      index++;
      signatures.add(policy.isPresent()
          ? judge(index, sig, packageBytes, policy.get(), m -> assessed.computeIfAbsent(m.key().getKeyID(),
              id -> KeyValidity.assess(m.ring(), m.key(), now)), now)
          : unchecked(index, sig));
    }
    for (String problem : contents.problems()) {
      signatures.add(SignatureResult.malformed(++index, asc.getFileName() + ": " + problem));
    }
    signatures = markRepeatedApprovers(signatures);
    QuorumResult quorum = policy.isEmpty()
        ? QuorumResult.noPolicy(noPolicy)
        : counted(policy.get().require(), signatures,
            contents.missing() ? asc.getFileName() + " does not exist: the package is unsigned" : "");
    long signaturesDone = System.nanoTime();
    hashing.forEach(h -> artifacts.add(h.join()));
    long hashed = System.nanoTime();
    ExpiryResult expiry = new ExpiryResult(pkg.authorization().expiresAt(), now);
    IntegrityResult.Durations took = new IntegrityResult.Durations(millis(signaturesDone - signaturesBegun),
        millis(hashed - begun), millis(System.nanoTime() - hashed));
    return new IntegrityResult(asc, signatures, quorum, artifacts, expiry, required, took);
  }

  private static long millis(long nanos) {
    return dev.cutter.core.run.GateClock.millis(nanos);
  }

  /** The pinned sha256 against the bytes the package was loaded with: the file on disk is not read again. */
  private static ArtifactCheck hash(String path, Path file, String expected, FileContent content) {
    return new ArtifactCheck(path, file, expected, Optional.of(content.sha256()), "content differs from the pinned sha256");
  }

  private static SignatureResult unchecked(int index, PGPSignature sig) {
    return new SignatureResult(index, SignatureStatus.UNCHECKED, Keyring.issuer(sig), Optional.empty(), Optional.empty(),
        Optional.of(sig.getCreationTime().toInstant()), "no trust policy to check it against", Optional.empty());
  }

  private static SignatureResult judge(int index, PGPSignature sig, byte[] data, TrustPolicy policy,
      Function<Keyring.Match, KeyValidity.Assessment> assess, Instant now) {
    Optional<Instant> created = Optional.of(sig.getCreationTime().toInstant());
    Optional<Keyring.Match> match = policy.keyring().find(sig);
    if (match.isEmpty()) {
      return new SignatureResult(index, SignatureStatus.UNKNOWN_KEY, Keyring.issuer(sig), Optional.empty(), Optional.empty(),
          created, "the signing key is not in the trust policy's keyring", Optional.empty());
    }
    Keyring.Match m = match.get();
    KeyValidity.Assessment key = assess.apply(m);
    String primary = Keyring.fingerprint(m.ring().getPublicKey());
    Optional<String> approver = policy.approverOf(primary).map(TrustPolicy.Approver::name);
    Outcome outcome = outcome(sig, data, m, key, now);
    if (outcome.status() == SignatureStatus.BAD_SIGNATURE && approver.isPresent()
        && sig.getSignatureType() == PGPSignature.BINARY_DOCUMENT && !StaleSignatures.prefixMatches(sig, data)) {
      outcome = new Outcome(SignatureStatus.STALE, "made over other bytes of package.yaml: " + STALE_FIX);
    }
    if (outcome.status() == SignatureStatus.VALID && approver.isEmpty()) {
      outcome = new Outcome(SignatureStatus.NOT_AN_APPROVER, "the key is in the keyring, but no approver of the trust policy lists it");
    }
    return new SignatureResult(index, outcome.status(), primary, key.userId(),
        Optional.of(Keyring.fingerprint(m.key())), created, outcome.detail(), approver);
  }

  /** What to do about a {@link SignatureStatus#STALE} signature. */
  public static final String STALE_FIX = "run cutter package hash --drop-signatures, then sign again";

  private record Outcome(SignatureStatus status, String detail) {}

  private static Outcome outcome(PGPSignature sig, byte[] data, Keyring.Match m, KeyValidity.Assessment key, Instant now) {
    if (sig.getSignatureType() != PGPSignature.BINARY_DOCUMENT) {
      return new Outcome(SignatureStatus.BAD_SIGNATURE, String.format("signature type 0x%02x is not a detached binary signature"
          + " (make it with gpg --armor --detach-sign or cutter package sign)", sig.getSignatureType()));
    }
    if (!key.weakness().isEmpty()) {
      // Before verifying: a key below the minimum never counts, whatever its signature says.
      return new Outcome(SignatureStatus.WEAK_KEY, key.weakness());
    }
    if (!KeyValidity.verifies(() -> {
          sig.init(VERIFIERS, m.key());
          sig.update(data);
          return sig.verify();
        })) {
      return new Outcome(SignatureStatus.BAD_SIGNATURE,
          "does not match package.yaml: the file changed after it was signed, or the signature is damaged");
    }
    Optional<String> weakHash = weakHash(sig.getHashAlgorithm());
    if (weakHash.isPresent()) {
      return new Outcome(SignatureStatus.BAD_SIGNATURE, "made with the weak hash algorithm " + weakHash.get());
    }
    if (!key.problem().isEmpty()) {
      return new Outcome(SignatureStatus.UNKNOWN_KEY, key.problem());
    }
    Instant signedAt = sig.getCreationTime().toInstant();
    if (key.revoked()) {
      return new Outcome(SignatureStatus.REVOKED_KEY, "the key was revoked");
    }
    if (signedAt.isBefore(key.createdAt())) {
      return new Outcome(SignatureStatus.BAD_SIGNATURE, "signature dated " + signedAt + ", before its key was created (" + key.createdAt() + ")");
    }
    if (signedAt.isAfter(now.plus(SignatureStatus.FUTURE_TOLERANCE))) {
      return new Outcome(SignatureStatus.FUTURE_SIGNATURE, "signature dated " + signedAt + ", more than "
          + SignatureStatus.FUTURE_TOLERANCE.toMinutes() + " minutes after now (" + now + ")");
    }
    Optional<Instant> sigExpires = signatureExpiry(sig);
    if (sigExpires.isPresent() && !now.isBefore(sigExpires.get())) {
      return new Outcome(SignatureStatus.SIGNATURE_EXPIRED, "the signature expired at " + sigExpires.get());
    }
    if (key.expiredAt(signedAt)) {
      return new Outcome(SignatureStatus.EXPIRED_KEY, "signature made " + signedAt + ", after the key expired at " + key.expiresAt().get());
    }
    if (key.expiredAt(now)) {
      return new Outcome(SignatureStatus.EXPIRED_KEY, "the key expired at " + key.expiresAt().get());
    }
    if (!key.canSign()) {
      return new Outcome(SignatureStatus.NOT_SIGNING_KEY, "the key's flags do not allow signing data");
    }
    return new Outcome(SignatureStatus.VALID, "");
  }

  /** The signature's own expiration (hashed subpacket, seconds after its creation; 0 or absent: never). */
  private static Optional<Instant> signatureExpiry(PGPSignature sig) {
    long seconds = sig.getHashedSubPackets() == null ? 0 : sig.getHashedSubPackets().getSignatureExpirationTime();
    return seconds <= 0 ? Optional.empty() : Optional.of(sig.getCreationTime().toInstant().plusSeconds(seconds));
  }

  /** The name of a hash no signature may use any more (collisions can be made or bought), or empty. */
  private static Optional<String> weakHash(int hashAlgorithm) {
    return Optional.ofNullable(switch (hashAlgorithm) {
      case HashAlgorithmTags.MD5 -> "MD5";
      case HashAlgorithmTags.SHA1 -> "SHA-1";
      case HashAlgorithmTags.RIPEMD160 -> "RIPEMD-160";
      case HashAlgorithmTags.MD2 -> "MD2";
      default -> null;
    });
  }

  /** An approver who signed more than once (with one key or several) is counted once; the later signatures say so. */
  private static List<SignatureResult> markRepeatedApprovers(List<SignatureResult> results) {
    Map<String, Integer> firstValid = new LinkedHashMap<>();
    List<SignatureResult> marked = new ArrayList<>();
    for (SignatureResult r : results) {
      if (!r.valid() || r.approver().isEmpty()) {
        marked.add(r);
      } else if (firstValid.putIfAbsent(r.approver().get(), r.index()) == null) {
        marked.add(r);
      } else {
        marked.add(new SignatureResult(r.index(), r.status(), r.fingerprint(), r.userId(), r.signingKey(), r.createdAt(),
            "same approver (" + r.approver().get() + ") as signature " + firstValid.get(r.approver().get()) + ": counted once",
            r.approver()));
      }
    }
    return marked;
  }

  /** The distinct approvers with a valid signature, and for each the primary key of the first signature that counted. */
  private static QuorumResult counted(int require, List<SignatureResult> results, String problem) {
    Map<String, String> keyOfApprover = new LinkedHashMap<>();
    for (SignatureResult r : results) {
      if (r.valid() && r.approver().isPresent()) {
        keyOfApprover.putIfAbsent(r.approver().get(), r.fingerprint());
      }
    }
    return new QuorumResult(require, List.copyOf(keyOfApprover.keySet()), List.copyOf(keyOfApprover.values()), problem);
  }
}
