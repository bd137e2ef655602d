package dev.cutter.core.scaffold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.catalog.Identity;
import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.scaffold.ScaffoldDerivation.Derived;
import dev.cutter.core.scaffold.ScaffoldDerivation.Note;
import dev.cutter.core.scaffold.ScaffoldDerivation.Placed;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The text {@code package new} writes: every field commented, names read back exactly, the derivations placed. */
class PackageYamlTest {

  private static final String ODD = "we\"ird\\ # name\n\u2028\u202e: [x]";

  private static Scaffold scaffold(Derived d, List<SchemaCounts> baselines, Optional<Scaffold.ScopeSize> size) {
    return scaffold(d, baselines, size, "/var/lib/cutter/backups");
  }

  private static Scaffold scaffold(Derived d, List<SchemaCounts> baselines, Optional<Scaffold.ScopeSize> size,
      String backupDir) {
    return new Scaffold("invoices-1", "Invoices # and more", "CHG-1", Instant.parse("2030-01-02T03:04:05.678Z"), "low",
        new Identity("7390112233445566778", "app", 15, "15.4 (Debian)\u2028x"), "postgres", "app_owner",
        new Scaffold.Artifact("change.sql", "ddl/change.sql", "a".repeat(64)), Optional.empty(),
        Optional.of(new Scaffold.Artifact("rollback.sql", "ddl/rollback.sql", "b".repeat(64))),
        List.of("sandbox/setup.sql"), d, baselines, size, backupDir, Instant.parse("2029-12-31T00:00:00Z"));
  }

  private static Derived derived(String schema) {
    Placed t = new Placed(ObjectKind.TABLE, schema, "invoice");
    Placed i = new Placed(ObjectKind.INDEX, schema, ODD);
    Placed old = new Placed(ObjectKind.TABLE, schema, "customer");
    return new Derived(List.of(schema), List.of(t, i), List.of(old), List.of(), List.of(t, i), List.of(), List.of(t),
        List.of(), List.of(new Note("ddl/change.sql", 3, 7, "GRANT (statement 3): nothing is derived from it\nnext line",
            false), new Note("ddl/rollback.sql", 2, 2, "REVOKE (statement 2): nothing", false)));
  }

  private static Object load(String yaml) {
    return new org.yaml.snakeyaml.Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
  }

  @Test
  void everyFieldLineCarriesAComment() {
    String yaml = PackageYaml.render(scaffold(derived("app"),
        List.of(new SchemaCounts("app", Map.of("p", 1), Map.of("r", 1, "i", 1))), Optional.of(new Scaffold.ScopeSize(16384, 1))));

    List<String> fields = yaml.lines().filter(l -> !l.isBlank() && !l.stripLeading().startsWith("#")).toList();
    assertThat(fields).hasSizeGreaterThan(30);
    assertThat(fields).allSatisfy(l -> assertThat(l).as("a field with its comment").containsPattern("  # \\S"));
  }

  @Test
  void namesReadBackExactlyAndCommentsCannotBeBrokenOutOf() {
    String yaml = PackageYaml.render(scaffold(derived(ODD),
        List.of(new SchemaCounts(ODD, Map.of(), Map.of())), Optional.of(new Scaffold.ScopeSize(0, 0))));

    assertThat(yaml).doesNotContain("\u2028").doesNotContain("\u202e");
    assertThat(yaml.lines()).as("one line per field or comment, the note's line break escaped")
        .contains("  # ddl/change.sql:7: GRANT (statement 3): nothing is derived from it\\u000anext line");
    @SuppressWarnings("unchecked")
    Map<String, Object> doc = (Map<String, Object>) load(yaml);
    assertThat(doc.get("title")).isEqualTo("Invoices # and more");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> preflight = (List<Map<String, Object>>) doc.get("preflight");
    assertThat(preflight.get(0)).isEqualTo(Map.of("schema_exists", ODD));
    assertThat(preflight.get(1)).isEqualTo(Map.of("objects_absent", Map.of("schema", ODD, "tables", List.of("invoice"),
        "indexes", List.of(ODD))));
    assertThat(preflight.get(2)).isEqualTo(Map.of("objects_present", Map.of("schema", ODD, "tables", List.of("customer"))));
    assertThat(preflight.get(4)).isEqualTo(Map.of("rehearse", true));
    @SuppressWarnings("unchecked")
    Map<String, Object> backup = (Map<String, Object>) doc.get("backup");
    assertThat(backup.get("scope")).isEqualTo(Map.of("schemas", List.of(ODD)));
  }

  @Test
  void theBackupFloorIsOneHundredthOfTheScopeOnDiskAndSaysSo() {
    String yaml = PackageYaml.render(scaffold(derived("app"), List.of(new SchemaCounts("app", Map.of(), Map.of())),
        Optional.of(new Scaffold.ScopeSize(1_234_567, 3))));

    assertThat(yaml).contains("""
          # min_bytes: 1 % of the 1234567 bytes pg_total_relation_size gave for the scope's 3 relations (tables and
          # materialized views, their indexes and TOAST included) when read. A compressed dump holds no index data
          # or free space, so it is smaller than that; this floor refuses an empty or cut-short dump.
          min_bytes: 12345                      # derived as said above: raise it when the dump's real size is known
        """);
  }

  @Test
  void withoutATouchedSchemaNoBackupIsRequiredAndNothingUnverifiableIsClaimed() {
    Derived none = new Derived(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
        List.of());
    String yaml = PackageYaml.render(scaffold(none, List.of(), Optional.empty()));

    assertThat(yaml).contains("""
        backup:                                 # P2: a verified pg_dump taken before the change
          required: false                       # the change touches no schema that exists now: nothing to back up
        """);
    assertThat(yaml).doesNotContain("\nverify:").contains("# verify: nothing could be derived");
    assertThat(yaml).contains("  precondition: none                    # nothing could be derived from rollback.sql:"
        + " the rollback would run unchecked; replace none with checks\n");
    @SuppressWarnings("unchecked")
    Map<String, Object> doc = (Map<String, Object>) load(yaml);
    assertThat(doc).doesNotContainKey("verify");
    assertThat(doc.get("preflight")).isEqualTo(List.of(Map.of("rehearse", true)));
  }

  @Test
  void aBackupDirectoryReadsBackAsTheStringGiven() {
    for (String dir : List.of("2024", "yes", "backups", "/var/lib/cutter/backups", "~/b k", "a: b")) {
      String yaml = PackageYaml.render(scaffold(derived("app"), List.of(new SchemaCounts("app", Map.of(), Map.of())),
          Optional.of(new Scaffold.ScopeSize(0, 0)), dir));
      @SuppressWarnings("unchecked")
      Map<String, Object> backup = (Map<String, Object>) ((Map<String, Object>) load(yaml)).get("backup");
      assertThat(backup.get("dir")).as(dir).isEqualTo(dir);
    }
  }
}
