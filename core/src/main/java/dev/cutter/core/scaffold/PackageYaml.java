package dev.cutter.core.scaffold;

import dev.cutter.core.catalog.BaselineBlock;
import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.scaffold.ScaffoldDerivation.Note;
import dev.cutter.core.scaffold.ScaffoldDerivation.Placed;
import dev.cutter.core.text.YamlText;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The text of a package.yaml written by {@code cutter package new}: every field on its own line
 * with a comment saying where its value came from and what it does, the derived checks one flow
 * mapping per line, and what could not be derived as comment lines where the reviewer looks for it.
 *
 * <p>{@code backup.min_bytes} is 1 % of {@code pg_total_relation_size} summed over the scope's tables
 * and materialized views: a custom-format dump is compressed and holds no index data or free
 * space, so it is smaller than the relations on disk — by a factor of 5 to 20 for ordinary data, up
 * to about 50 for bloated tables of very repetitive values. One hundredth stays under the real dump
 * and still refuses what the floor is for: an empty or cut-short archive.
 */
public final class PackageYaml {

  /** Where trailing comments start, when the line leaves room. */
  static final int COMMENT_COLUMN = 40;

  private static final Pattern PLAIN_PATH = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");

  private static final Pattern PLAIN_DIR = Pattern.compile("[A-Za-z0-9/][A-Za-z0-9._/-]*");

  private final StringBuilder out = new StringBuilder();

  private PackageYaml() {}

  /** The package.yaml text for {@code s}. */
  public static String render(Scaffold s) {
    PackageYaml y = new PackageYaml();
    y.write(s);
    return y.out.toString();
  }

  private void write(Scaffold s) {
    ScaffoldDerivation.Derived d = s.derived();
    String sources = s.change().source() + s.online().map(o -> ", " + o.source()).orElse("")
        + s.rollback().map(r -> " and " + r.source()).orElse("");
    comment("", "Written by cutter package new from " + sources + " and the catalog of database "
        + YamlText.scalar(s.identity().database()) + ",");
    comment("", "read at " + instant(s.readAt()) + " as login role " + YamlText.scalar(s.loginRole())
        + " (it only read). Every check is derived from the SQL and that");
    comment("", "catalog: it states what the SQL creates, changes and drops, not whether that is what was meant.");
    comment("", "Review every line, dry-run the package, then sign it.");
    line("apiVersion: cutter/v1", "the package format");
    line("kind: ApplyPackage", "one change to one database");
    line("id: " + YamlText.scalar(s.id()), "names the report directory and the journal entry (--id)");
    line("title: " + YamlText.quoted(s.title()), "one line for people (--title)");
    line("authorization:", "the approval this package carries: signing it is the approval");
    line("  ref: " + YamlText.scalar(s.ref()), "the approval's reference, echoed in the report: name the ticket (--ref)");
    line("  expires_at: " + instant(s.expiresAt()), "after this instant the run is BLOCKED (--expires)");
    line("  risk: " + s.risk(), "low, medium, high or critical: the approver's judgement (--risk)");

    out.append(TargetBlock.text(s.identity(), s.applyRole(), "current_user while the change runs (--apply-role)"));

    line("artifact:", "the change; package.yaml pins its bytes, so the signature covers them");
    line("  path: " + path(s.change().path()), "a copy of " + s.change().source());
    line("  sha256: " + s.change().sha256(), "of those bytes; after an edit run cutter package hash, then sign again");

    s.online().ifPresent(o -> {
      line("online:", "run after the change committed, each statement in its own autocommit (timeouts 1min and 1h)");
      line("  path: " + path(o.path()), "a copy of " + o.source());
      line("  sha256: " + o.sha256(), "of those bytes");
    });

    line("preflight:", "read-only checks before anything changes, in this order");
    for (String schema : d.schemas()) {
      line("  - schema_exists: " + YamlText.scalar(schema), "the change works in this schema");
    }
    objects("  ", "objects_absent", d.absentBefore(), "the change creates these: none may exist yet");
    objects("  ", "objects_present", d.presentBefore(),
        "the change alters, drops, indexes, references or writes these: all must exist");
    for (SchemaCounts counts : s.baselines()) {
      line("  - baseline: " + BaselineBlock.check(counts), "the schema's constraint and relation counts now");
    }
    notes("  ", d.notes(), s.change().path());
    s.online().ifPresent(o -> notes("  ", d.notes(), o.path()));
    line("  - rehearse: true", "run the change as apply_role in a transaction that is rolled back");

    backup(s);

    line("apply:", "how the change runs");
    line("  mode: transaction", "every statement in one transaction: all commit or none does");
    line("  lock_timeout: 5s", "the default: a statement that waits longer for a lock fails and nothing commits");
    line("  statement_timeout: 10min", "the default: a statement that runs longer fails and nothing commits");

    if (d.schemasCreated().isEmpty() && d.presentAfter().isEmpty() && d.absentAfter().isEmpty()) {
      comment("", "verify: nothing could be derived (the change creates and drops nothing an object check lists),");
      comment("", "so a run reports the change as not verified: add checks (privilege, sql) that prove it landed.");
    } else {
      line("verify:", "read-only checks after the change committed");
      for (String schema : d.schemasCreated()) {
        line("  - schema_exists: " + YamlText.scalar(schema), "the change creates this schema");
      }
      objects("  ", "objects_present", d.presentAfter(), "the change creates these");
      objects("  ", "objects_absent", d.absentAfter(), "the change drops these");
    }

    s.rollback().ifPresent(r -> {
      line("rollback:", "undoes the change when verify fails after the commit");
      line("  artifact:", "pinned like the change");
      line("    path: " + path(r.path()), "a copy of " + r.source());
      line("    sha256: " + r.sha256(), "of those bytes");
      if (d.rollbackPresent().isEmpty() && d.rollbackAbsent().isEmpty()) {
        line("  precondition: none", "nothing could be derived from " + r.source()
            + ": the rollback would run unchecked; replace none with checks");
        notes("  ", d.notes(), r.path());
      } else {
        line("  precondition:", "the rollback runs only when all of these hold; derived from " + r.source());
        objects("    ", "objects_present", d.rollbackPresent(), "the rollback alters or drops these");
        objects("    ", "objects_absent", d.rollbackAbsent(), "the rollback creates these");
        notes("    ", d.notes(), r.path());
        comment("    ", "add what makes undoing safe, e.g. that no data would be lost:");
        comment("    ", "- sql: { query: \"select count(*) from schema.table\", expect: 0 }");
      }
    });

    if (!s.sandboxSetup().isEmpty()) {
      line("sandbox:", "dry-run only: never runs on a real target");
      line("  setup: " + s.sandboxSetup().stream().map(PackageYaml::path).collect(Collectors.joining(", ", "[", "]")),
          "copies of the --sandbox-setup scripts, run first on the throwaway server");
    } else {
      comment("", "sandbox: none given (--sandbox-setup): a dry-run starts from an empty database, without the roles");
      comment("", "and schemas the change expects; add setup scripts that create them.");
    }
  }

  private void backup(Scaffold s) {
    List<String> scope = s.derived().schemas();
    line("backup:", "P2: a verified pg_dump taken before the change");
    if (scope.isEmpty()) {
      line("  required: false", "the change touches no schema that exists now: nothing to back up");
      return;
    }
    Scaffold.ScopeSize size = s.scopeSize().orElseThrow();
    line("  required: true", "the run is BLOCKED when the backup fails");
    line("  scope: {schemas: " + list(scope) + "}", "the schemas the change touches that exist now");
    // a plain path needs a slash: a bare 2024 or yes would not read back as a string
    String dir = s.backupDir().contains("/") && PLAIN_DIR.matcher(s.backupDir()).matches() ? s.backupDir()
        : YamlText.quoted(s.backupDir());
    line("  dir: " + dir, "on the host that runs cutter, owned by its user and closed to others (--backup-dir)");
    String relations = size.relations() + " relation" + (size.relations() == 1 ? "" : "s");
    comment("  ", "min_bytes: 1 % of the " + size.bytes() + " bytes pg_total_relation_size gave for the scope's "
        + relations + " (tables and");
    comment("  ", "materialized views, their indexes and TOAST included) when read. A compressed dump holds no index data");
    comment("  ", "or free space, so it is smaller than that; this floor refuses an empty or cut-short dump.");
    line("  min_bytes: " + size.minBytes(), "derived as said above: raise it when the dump's real size is known");
  }

  /** One {@code objects_*} entry per schema: {@code {schema: s, tables: [a, b], indexes: [c]}}. */
  private void objects(String indent, String check, List<Placed> objects, String why) {
    Map<String, Map<ObjectKind, List<String>>> bySchema = new LinkedHashMap<>();
    for (Placed p : objects) {
      bySchema.computeIfAbsent(p.schema(), k -> new java.util.EnumMap<>(ObjectKind.class))
          .computeIfAbsent(p.kind(), k -> new ArrayList<>()).add(p.name());
    }
    bySchema.forEach((schema, kinds) -> {
      List<String> parts = new ArrayList<>();
      parts.add("schema: " + YamlText.scalar(schema));
      kinds.forEach((kind, names) -> parts.add(kind.key() + ": " + list(names)));
      line(indent + "- " + check + ": {" + String.join(", ", parts) + "}", why);
    });
  }

  /** The notes about {@code file} (a path in the package), as comment lines. */
  private void notes(String indent, List<Note> notes, String file) {
    for (Note n : notes.stream().filter(n -> n.file().equals(file)).toList()) {
      String where = n.statement() == 0 ? n.file() : n.file() + ":" + n.line();
      comment(indent, (n.warning() ? "warning: " : "") + where + ": " + n.text());
    }
  }

  private static String list(List<String> names) {
    return names.stream().map(YamlText::scalar).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String path(String p) {
    return PLAIN_PATH.matcher(p).matches() ? p : YamlText.quoted(p);
  }

  private static String instant(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  private void line(String content, String comment) {
    out.append(commented(content, comment));
  }

  /** {@code content} with {@code comment} after it at {@link #COMMENT_COLUMN} when the line leaves room, as one line. */
  static String commented(String content, String comment) {
    int pad = Math.max(2, COMMENT_COLUMN - content.length());
    return content + " ".repeat(pad) + "# " + YamlText.comment(comment) + "\n";
  }

  private void comment(String indent, String text) {
    out.append(indent).append("# ").append(YamlText.comment(text)).append('\n');
  }
}
