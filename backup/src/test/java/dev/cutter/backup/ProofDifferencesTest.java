package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.CatalogFingerprint;
import dev.cutter.core.catalog.SchemaCounts;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The restore proof's differences name the source's side only; the restored side alone is counted by kind. */
class ProofDifferencesTest {

  @Test
  void relationsOnTheRestoredSideAloneAreCountedByKind() {
    assertThat(ProofDifferences.restoredOnlyRelations(Set.of("a.t r"), Set.of("a.t r", "a.\"Payroll x\" r", "a.\"Payroll i\" i")))
        .hasValue("not in the source: 2 relations (1 index, 1 table; names withheld: the restore's code may have made them)");
    assertThat(ProofDifferences.restoredOnlyRelations(Set.of("a.t r"), Set.of("a.t r"))).isEmpty();
  }

  @Test
  void theKindOfAKeyIsReadFromItsStructureNotFromANameThatLooksLikeOne() {
    assertThat(ProofDifferences.objectKind("a.t")).isEqualTo("relation");
    assertThat(ProofDifferences.objectKind("a.\"x column y\"")).isEqualTo("relation");
    assertThat(ProofDifferences.objectKind("a.\"x\"\" column y\" index \"z\"")).isEqualTo("index");
    assertThat(ProofDifferences.objectKind("a.t column \"Payroll\"")).isEqualTo("column");
    assertThat(ProofDifferences.objectKind("function a.\"Payroll\"()")).isEqualTo("function");
    assertThat(ProofDifferences.objectKind("a.t rubbish x")).isEqualTo("object");
    assertThat(ProofDifferences.objectKind("\"unterminated")).isEqualTo("object");
  }

  @Test
  void aChangedDefinitionShowsTheSourcesAndAnAddedObjectIsCounted() {
    Baseline source = new Baseline(Map.of("a", new SchemaCounts("a", Map.of(), Map.of("r", 1))),
        CatalogFingerprint.of(Map.of("a.t", "relation a.t kind r", "a.t column n", "text null", "a.t column gone", "int null")));
    Baseline restored = new Baseline(Map.of("a", new SchemaCounts("a", Map.of(), Map.of("r", 1))),
        CatalogFingerprint.of(Map.of("a.t", "relation a.t kind r", "a.t column n", "text null default 'Payroll'::text",
            "a.t column \"Payroll\"", "int null", "a.t policy \"Payroll\"", "r permissive")));

    assertThat(ProofDifferences.catalog(source, restored)).containsExactly(
        "removed: a.t column gone (int null)",
        "changed: a.t column n (in the source: text null; the restored definition is withheld)",
        "not in the source: 2 objects (1 column, 1 policy; names and definitions withheld: the restore's code may have made them)");
  }
}
