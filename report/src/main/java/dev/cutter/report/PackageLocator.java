package dev.cutter.report;

import dev.cutter.core.check.derived.ApplyRolePrivileges;
import dev.cutter.core.online.OnlinePrivileges;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.model.Rollback;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.RunMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds a report's findings in the package's files, from the positions the loader recorded: a
 * check at its entry in package.yaml, a statement at its line in the artifact. Paths are given
 * relative to {@code root} (the repository a code-scanning upload runs in) when the package lies
 * under it, else relative to the package's directory.
 */
public final class PackageLocator implements SarifLog.Locator {

  private final ApplyPackage pkg;
  private final Path root;

  public PackageLocator(ApplyPackage pkg, Path root) {
    this.pkg = pkg;
    Path dir = pkg.directory().toAbsolutePath().normalize();
    Path r = root.toAbsolutePath().normalize();
    this.root = dir.startsWith(r) ? r : dir;
  }

  @Override
  public SarifLog.Location packageFile() {
    return new SarifLog.Location(uri(pkg.file()), 1);
  }

  @Override
  public Optional<SarifLog.Location> check(String gateId, String checkId) {
    if (checkId.equals(ApplyRolePrivileges.ID)) {
      // what apply_role needs comes from the artifact: shown where package.yaml names it
      return at(pkg.file(), pkg.artifact().position());
    }
    if (checkId.equals(OnlinePrivileges.ID) && pkg.online().isPresent()) {
      return at(pkg.file(), pkg.online().get().artifact().position());
    }
    int hash = checkId.lastIndexOf('#');
    if (hash < 0) {
      return Optional.empty();
    }
    int n;
    try {
      n = Integer.parseInt(checkId.substring(hash + 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    List<CheckSpec> list = switch (gateId) {
      case GateIds.PREFLIGHT, GateIds.APPLY -> pkg.preflight();
      case GateIds.VERIFY -> pkg.verify();
      case GateIds.ROLLBACK -> pkg.rollback().map(Rollback::precondition).orElse(List.of());
      default -> List.of();
    };
    if (n < 1 || n > list.size() || !list.get(n - 1).name().equals(checkId.substring(0, hash))) {
      return Optional.empty();
    }
    return at(pkg.file(), list.get(n - 1).position());
  }

  @Override
  public SarifLog.Location statement(RunMode mode, int line) {
    ArtifactRef a = mode == RunMode.ROLLBACK && pkg.rollback().isPresent() ? pkg.rollback().get().artifact() : pkg.artifact();
    return new SarifLog.Location(uri(a.resolved()), line);
  }

  @Override
  public Optional<SarifLog.Location> artifactEntry(String path) {
    return pkg.artifacts().stream().filter(a -> a.path().equals(path)).findFirst()
        .flatMap(a -> at(pkg.file(), a.position()));
  }

  @Override
  public Optional<SarifLog.Location> applySection() {
    return PackageLoader.positionOf(pkg, "apply").flatMap(p -> at(pkg.file(), p));
  }

  private Optional<SarifLog.Location> at(Path file, SourcePosition p) {
    return p == null || p.line() < 1 ? Optional.empty() : Optional.of(new SarifLog.Location(uri(file), p.line()));
  }

  /** {@code file} relative to the root, with forward slashes, percent-encoded as a URI reference. */
  String uri(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    String rel = (abs.startsWith(root) ? root.relativize(abs) : abs.getFileName()).toString().replace('\\', '/');
    try {
      return new URI(null, null, rel, null).toASCIIString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a path: " + rel, e);
    }
  }
}
