package dev.cutter.core.scaffold;

import dev.cutter.core.catalog.Identity;
import dev.cutter.core.catalog.SchemaCounts;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@code cutter package new} writes into a package.yaml: what the operator named, what
 * the target said about itself, the artifacts as copied, and the checks derived.
 *
 * @param loginRole the role the target was read as (named in the header, never a password)
 * @param baselines the live counts of each schema in {@code derived.schemas()}
 * @param scopeSize what {@code pg_total_relation_size} gave for the backup scope, when there is one
 * @param readAt when the catalog was read
 */
public record Scaffold(
    String id,
    String title,
    String ref,
    Instant expiresAt,
    String risk,
    Identity identity,
    String loginRole,
    String applyRole,
    Artifact change,
    Optional<Artifact> online,
    Optional<Artifact> rollback,
    List<String> sandboxSetup,
    ScaffoldDerivation.Derived derived,
    List<SchemaCounts> baselines,
    Optional<ScopeSize> scopeSize,
    String backupDir,
    Instant readAt) {

  public Scaffold {
    sandboxSetup = List.copyOf(sandboxSetup);
    baselines = List.copyOf(baselines);
  }

  /** An artifact as copied: the file name it was given as, its path in the package, the sha256 of its bytes. */
  public record Artifact(String source, String path, String sha256) {}

  /** The relations of the backup scope on disk: their {@code pg_total_relation_size} summed, and how many. */
  public record ScopeSize(long bytes, int relations) {

    /** The dump floor derived from it: 1 %, see {@link PackageYaml}. */
    public long minBytes() {
      return bytes / 100;
    }
  }
}
