package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.run.RunReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A relation the change creates first that is not the change's own after BEGIN (R41, R43, R45, R46) is
 * diagnosed from the cause's fields as what cutter found, not as a server error, and for the apply mode
 * it happened in: never "did not begin", never an SQLSTATE.
 */
class CreatedElsewhereDiagnosisTest {

  private static RunReport report(String mode) {
    return SampleReports.escalatedIn(mode);
  }

  private static final Cause THEIRS = new Cause.TargetChangedSinceP1(Cause.Recheck.CREATED_BY_ANOTHER_SESSION,
      "public.t", null, null);

  @Test
  void aRelationAnotherSessionCreatedIsNamedAndTheRollbackSaidForTheMode() {
    Diagnosis d = CauseDiagnoses.of(THEIRS, report("transaction"));

    assertThat(d.rootCause()).isEqualTo("Relation public.t, which the change creates and which was absent at the"
        + " preflight and at BEGIN, was created by another session after BEGIN, not by the change: the change's"
        + " CREATE … IF NOT EXISTS created nothing, and its statements would have acted on that session's relation"
        + " (its triggers, its owner). The change was rolled back.");
    assertThat(d.nextAction()).startsWith("Find the session that created it");
    assertThat(CauseDiagnoses.of(THEIRS, report("autocommit")).rootCause()).endsWith(" The statement that created it"
        + " was rolled back, and the statements after it did not run.");
  }

  @Test
  void aRelationInASchemaAnotherSessionMadeNamesBothSchemas() {
    Diagnosis d = CauseDiagnoses.of(new Cause.TargetChangedSinceP1(Cause.Recheck.CREATED_IN_ANOTHER_SCHEMA, "t",
        "billing_owner", "public"), report("transaction"));

    assertThat(d.rootCause()).startsWith("Relation t, which the change creates under an unqualified name, went to"
        + " schema billing_owner, not to public where the preflight and BEGIN saw an unqualified CREATE go: another"
        + " session made schema billing_owner on apply_role's search_path after BEGIN").endsWith(" The change was rolled back.");
    assertThat(d.remediation().get(0).action()).startsWith("If schema billing_owner is not meant to be there, drop it");
  }

  @Test
  void neitherSaysTheChangeDidNotBeginNorNamesAnSqlstate() {
    for (Cause.Recheck what : List.of(Cause.Recheck.CREATED_BY_ANOTHER_SESSION, Cause.Recheck.CREATED_IN_ANOTHER_SCHEMA)) {
      Diagnosis d = CauseDiagnoses.of(new Cause.TargetChangedSinceP1(what, "t", "s", "public"), report("transaction"));
      assertThat(d.rootCause()).as(what.name()).doesNotContain("did not begin", "SQLSTATE", "42P07");
    }
    assertThat(CauseDiagnoses.of(new Cause.TargetChangedSinceP1(Cause.Recheck.CATALOG), report("transaction")).rootCause())
        .startsWith("The change did not begin: the relations the change touches changed between the preflight and BEGIN.");
  }

  /**
   * R61: in autocommit mode the path is found changed before a statement, which was kept back; the statements before
   * it committed. Never "Before COMMIT", never "rolled back".
   */
  @Test
  void aSearchPathChangedUnseenBetweenAutocommitStatementsSaysWhatCommittedAndWhatDidNotRun() {
    Cause c = new Cause.TargetChangedSinceP1(Cause.Recheck.SEARCH_PATH_CHANGED_UNSEEN, null, "s1, public",
        "\"$user\", public");
    Diagnosis auto = CauseDiagnoses.of(c, report("autocommit"));
    assertThat(auto.rootCause()).startsWith("Before the statement named above the session's search_path was 's1, public',"
        + " not '\"$user\", public'").endsWith("It was not sent, nor those after it; the statements before it committed"
        + " and were not undone.").doesNotContain("COMMIT", "rolled back");
    assertThat(CauseDiagnoses.of(c, report("transaction")).rootCause()).startsWith("Before COMMIT the session's search_path")
        .endsWith(" The change was rolled back.");
  }

  /** R64: a temporary table a function made took a name; said for the mode, the relation named. */
  @Test
  void aTemporaryTableThatTookANameIsNamedAndTheEndingSaidForTheMode() {
    Cause c = new Cause.TargetChangedSinceP1(Cause.Recheck.TEMPORARY_TABLE_TAKES_NAME, "t", null, null);
    Diagnosis tx = CauseDiagnoses.of(c, report("transaction"));
    assertThat(tx.rootCause()).startsWith("Before COMMIT the session had temporary relation(s) t, named as relations"
        + " the artifact names without a schema").endsWith(" The change was rolled back.");
    assertThat(tx.nextAction()).startsWith("Find which function the artifact calls creates a temporary table");
    assertThat(CauseDiagnoses.of(c, report("autocommit")).rootCause()).startsWith("Before the statement named above")
        .endsWith("It was not sent, nor those after it; the statements before it committed and were not undone.")
        .doesNotContain("COMMIT", "rolled back");
  }
}
