package dev.cutter.core.model;

import dev.cutter.core.lint.LintPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded, validated apply package (SPEC section 2). Immutable. {@code sha256} is the digest of
 * the exact bytes of package.yaml, which is what approvers sign and what the journal records;
 * {@code source} holds those bytes as they were parsed, which is what the signatures are checked
 * against (package.yaml is not read again).
 */
public record ApplyPackage(
    Path file,
    Path directory,
    String sha256,
    String id,
    String title,
    Authorization authorization,
    Target target,
    ArtifactRef artifact,
    List<CheckSpec> preflight,
    BackupPolicy backup,
    ApplySettings apply,
    List<CheckSpec> verify,
    Optional<Rollback> rollback,
    Sandbox sandbox,
    FileContent source,
    Optional<OnlineStep> online,
    LintPolicy lint) {

  public ApplyPackage {
    Objects.requireNonNull(source, "source");
    preflight = List.copyOf(preflight);
    verify = List.copyOf(verify);
    online = online == null ? Optional.empty() : online;
    lint = lint == null ? LintPolicy.DEFAULT : lint;
  }

  /** A package without an online step. */
  public ApplyPackage(Path file, Path directory, String sha256, String id, String title, Authorization authorization,
      Target target, ArtifactRef artifact, List<CheckSpec> preflight, BackupPolicy backup, ApplySettings apply,
      List<CheckSpec> verify, Optional<Rollback> rollback, Sandbox sandbox, FileContent source) {
    this(file, directory, sha256, id, title, authorization, target, artifact, preflight, backup, apply, verify, rollback,
        sandbox, source, Optional.empty(), LintPolicy.DEFAULT);
  }

  /** A package without a {@code lint} section: the default policy. */
  public ApplyPackage(Path file, Path directory, String sha256, String id, String title, Authorization authorization,
      Target target, ArtifactRef artifact, List<CheckSpec> preflight, BackupPolicy backup, ApplySettings apply,
      List<CheckSpec> verify, Optional<Rollback> rollback, Sandbox sandbox, FileContent source,
      Optional<OnlineStep> online) {
    this(file, directory, sha256, id, title, authorization, target, artifact, preflight, backup, apply, verify, rollback,
        sandbox, source, online, LintPolicy.DEFAULT);
  }

  /** Every artifact the package pins, in package order (the change, the rollback, the online step). */
  public List<ArtifactRef> artifacts() {
    List<ArtifactRef> all = new java.util.ArrayList<>();
    all.add(artifact);
    rollback.ifPresent(r -> all.add(r.artifact()));
    online.ifPresent(o -> all.add(o.artifact()));
    return List.copyOf(all);
  }
}
