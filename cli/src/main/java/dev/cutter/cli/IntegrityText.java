package dev.cutter.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutter.core.integrity.ArtifactCheck;
import dev.cutter.core.integrity.IntegrityResult;
import dev.cutter.core.integrity.IntegrityVerifier;
import dev.cutter.core.integrity.SignatureResult;
import dev.cutter.core.integrity.SignatureStatus;
import dev.cutter.report.VisibleJsonEscapes;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The integrity gate's findings for stdout: as lines (one per signature, the quorum, each hash,
 * the expiry, the outcome), as the outcome line alone ({@code --quiet}), or as JSON.
 */
final class IntegrityText {

  /** Made on first use: only {@code --output json} needs Jackson. Hidden characters are written as {@code \\uXXXX}. */
  private static final class Json {
    static final ObjectMapper MAPPER = VisibleJsonEscapes.mapper();
  }

  private IntegrityText() {}

  static void print(IntegrityResult r, String trust, GlobalOptions global, PrintWriter out) {
    if (global.output() == GlobalOptions.OutputFormat.json) {
      out.println(json(r, trust));
    } else if (global.quiet()) {
      out.println(outcomeLine(r));
    } else {
      out.println(CutterCommand.visible("trust policy: " + trust));
      print(r, out);
    }
  }

  /** The lines, each with its hidden characters (in a path, a user id, a detail) written as escapes. */
  static void print(IntegrityResult r, PrintWriter out) {
    if (r.signatures().isEmpty()) {
      out.println(CutterCommand.visible("signatures: none in " + r.signatureFile().getFileName()));
    }
    for (SignatureResult s : r.signatures()) {
      out.println(CutterCommand.visible(signatureLine(s)));
    }
    out.println(CutterCommand.visible(r.quorum().summary()));
    for (ArtifactCheck a : r.artifacts()) {
      out.println(CutterCommand.visible(artifactLine(a)));
    }
    out.println(CutterCommand.visible(r.expiry().summary()));
    out.println(outcomeLine(r));
  }

  static String outcomeLine(IntegrityResult r) {
    return "integrity: " + (r.passed() ? "PASS" : "FAIL (" + String.join(", ", failedParts(r)) + ")");
  }

  static String json(IntegrityResult r, String trust) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("trust_policy", trust);
    List<Map<String, Object>> signatures = new ArrayList<>();
    for (SignatureResult s : r.signatures()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("index", s.index());
      m.put("status", s.status().label());
      m.put("fingerprint", s.fingerprint());
      m.put("user_id", s.userId().orElse(null));
      m.put("approver", s.approver().orElse(null));
      m.put("signing_key", s.signingKey().orElse(null));
      m.put("created_at", s.createdAt().map(Object::toString).orElse(null));
      m.put("detail", s.detail());
      signatures.add(m);
    }
    root.put("signatures", signatures);
    Map<String, Object> quorum = new LinkedHashMap<>();
    quorum.put("required", r.quorum().required());
    quorum.put("valid", r.quorum().valid());
    quorum.put("approvers", r.quorum().approvers());
    quorum.put("signers", r.quorum().signers());
    quorum.put("passed", r.quorum().passed());
    quorum.put("summary", r.quorum().summary());
    root.put("quorum", quorum);
    List<Map<String, Object>> artifacts = new ArrayList<>();
    for (ArtifactCheck a : r.artifacts()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", a.path());
      m.put("expected", a.expected());
      m.put("actual", a.actual().orElse(null));
      m.put("matches", a.matches());
      m.put("problem", a.matches() ? null : a.problem());
      artifacts.add(m);
    }
    root.put("artifacts", artifacts);
    root.put("authorization", Map.of("expires_at", r.expiry().expiresAt().toString(),
        "checked_at", r.expiry().checkedAt().toString(), "passed", r.expiry().passed()));
    root.put("passed", r.passed());
    try {
      return Json.MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("plain maps always serialize", e);
    }
  }

  static String signatureLine(SignatureResult s) {
    if (s.status() == SignatureStatus.STALE) {
      return "signature " + s.index() + " by " + s.fingerprint() + s.userId().map(u -> " " + u).orElse("")
          + " was made over other bytes of package.yaml: " + IntegrityVerifier.STALE_FIX;
    }
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
