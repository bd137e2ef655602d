package dev.cutter.cli;

import dev.cutter.core.integrity.ArtifactCheck;
import dev.cutter.core.integrity.IntegrityResult;
import dev.cutter.core.integrity.SignatureResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** The integrity gate's findings as lines for a terminal: one per signature, the quorum, each hash, the expiry. */
final class IntegrityText {

  private IntegrityText() {}

  static void print(IntegrityResult r, PrintWriter out) {
    if (r.signatures().isEmpty()) {
      out.println("signatures: none in " + r.signatureFile().getFileName());
    }
    for (SignatureResult s : r.signatures()) {
      out.println(signatureLine(s));
    }
    out.println(r.quorum().summary());
    for (ArtifactCheck a : r.artifacts()) {
      out.println(artifactLine(a));
    }
    out.println(r.expiry().summary());
    out.println("integrity: " + (r.passed() ? "PASS" : "FAIL (" + String.join(", ", failedParts(r)) + ")"));
  }

  static String signatureLine(SignatureResult s) {
    StringBuilder b = new StringBuilder("signature ").append(s.index()).append(": ").append(s.fingerprint());
    s.userId().ifPresent(id -> b.append(' ').append(id));
    b.append(": ").append(s.status().label());
    if (!s.detail().isEmpty()) {
      b.append(" (").append(s.detail()).append(')');
    }
    return b.toString();
  }

  static String artifactLine(ArtifactCheck a) {
    if (a.matches()) {
      return "sha256 " + a.path() + ": ok " + a.actual().get();
    }
    return "sha256 " + a.path() + ": FAIL: " + a.problem() + " (expected " + a.expected()
        + a.actual().map(x -> ", actual " + x).orElse("") + ")";
  }

  private static List<String> failedParts(IntegrityResult r) {
    List<String> parts = new ArrayList<>();
    if (r.signaturesRequired() && !r.signaturesPassed()) {
      parts.add("signatures");
    }
    if (!r.artifactsPassed()) {
      parts.add("hashes");
    }
    if (!r.expiry().passed()) {
      parts.add("authorization expired");
    }
    return parts;
  }
}
