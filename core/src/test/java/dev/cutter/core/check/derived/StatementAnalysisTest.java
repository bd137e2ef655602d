package dev.cutter.core.check.derived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cutter.core.exec.ExecStatement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatementAnalysisTest {

  private static final List<ExecStatement> SCRIPT = List.of(
      new ExecStatement(1, 1, "create schema app"),
      new ExecStatement(2, 2, "create table app.t (id int primary key, p int references app.parent (id))"),
      new ExecStatement(3, 4, "create index t_p on app.t (p)"),
      new ExecStatement(4, 5, "alter table app.old drop column c"),
      new ExecStatement(5, 6, "insert into app.t values (1, 1)"),
      new ExecStatement(6, 7, "drop view app.v"));

  @Test
  void theSameStatementsAreReadOncePerRun() {
    List<ExecStatement> run = new ArrayList<>(SCRIPT);
    StatementAnalysis first = StatementAnalysis.of(run);
    assertSame(first, StatementAnalysis.of(run));
    // another list holding the same records is the same reading
    assertSame(first, StatementAnalysis.of(List.copyOf(run)));
  }

  @Test
  void theRunsFreshListsOfTheSameStatementsShareOneReading() {
    StatementAnalysis first = StatementAnalysis.of(SCRIPT);
    // the run hands out new records of the same statements each time it is asked
    List<ExecStatement> copies = SCRIPT.stream().map(s -> new ExecStatement(s.index(), s.line(), s.text())).toList();
    assertSame(first, StatementAnalysis.of(copies));
  }

  @Test
  void aReadingStartedAheadIsTheOneTheRunsChecksGet() throws Exception {
    List<ExecStatement> ahead = new ArrayList<>(SCRIPT);
    ahead.set(5, new ExecStatement(6, 7, "drop view app.read_ahead"));
    StatementAnalysis read = StatementAnalysis.readAhead(ahead).get();
    List<ExecStatement> copies = ahead.stream().map(s -> new ExecStatement(s.index(), s.line(), s.text())).toList();
    assertSame(read, StatementAnalysis.of(copies));
    assertEquals("app.read_ahead", read.touchesAt(5).get(0).object().toString());
  }

  @Test
  void aReadingAheadOvertakenByAnotherReadingReadsNothing() throws Exception {
    java.util.concurrent.FutureTask<StatementAnalysis> ahead;
    StatementAnalysis mine;
    synchronized (StatementAnalysis.class) { // the thread ahead cannot read before this reading
      ahead = StatementAnalysis.readAhead(List.of(new ExecStatement(1, 1, "create table app.overtaken (id int)")));
      mine = StatementAnalysis.of(List.of(new ExecStatement(1, 1, "create table app.mine (id int)")));
    }
    assertEquals(null, ahead.get());
    assertSame(mine, StatementAnalysis.of(List.of(new ExecStatement(1, 1, "create table app.mine (id int)"))));
  }

  @Test
  void anyOtherStatementIsReadAfresh() {
    StatementAnalysis first = StatementAnalysis.of(SCRIPT);
    List<ExecStatement> edited = new ArrayList<>(SCRIPT);
    edited.set(4, new ExecStatement(5, 6, "insert into app.other values (1, 1)"));
    StatementAnalysis again = StatementAnalysis.of(edited);
    assertNotSame(first, again);
    assertEquals("app.other", again.touchesAt(4).get(0).object().toString());
    List<ExecStatement> moved = new ArrayList<>(SCRIPT);
    moved.set(0, new ExecStatement(1, 2, "create schema app"));
    assertEquals(2, StatementAnalysis.touches(moved).get(0).line());
    List<ExecStatement> shorter = SCRIPT.subList(0, 3);
    assertNotSame(StatementAnalysis.of(SCRIPT), StatementAnalysis.of(shorter));
    assertEquals(3, StatementAnalysis.touches(shorter).stream().mapToInt(Touch::statement).max().orElse(0));
  }

  @Test
  void givesWhatTheAnalyzerGivesStatementByStatement() {
    List<Touch> touches = new ArrayList<>();
    List<Requirement> reqs = new ArrayList<>();
    for (ExecStatement s : SCRIPT) {
      touches.addAll(DdlAnalyzer.touches(s.index(), s.line(), s.text()));
      reqs.addAll(DdlAnalyzer.analyze(s.index(), s.line(), s.text()));
    }
    assertEquals(touches, StatementAnalysis.touches(SCRIPT));
    assertEquals(reqs, StatementAnalysis.requirements(SCRIPT));
    // the schema, the table, its foreign-key target, the index's table, the dropped column's table, the insert's, the view
    assertEquals(List.of(Touch.Action.CREATE, Touch.Action.CREATE, Touch.Action.REFERENCE, Touch.Action.INDEX_ON,
        Touch.Action.ALTER, Touch.Action.DROP_COLUMN, Touch.Action.INSERT, Touch.Action.DROP),
        StatementAnalysis.touches(SCRIPT).stream().map(Touch::action).toList());
  }

  @Test
  void theSharedListsCannotBeChanged() {
    assertThrows(UnsupportedOperationException.class, () -> StatementAnalysis.touches(SCRIPT).clear());
    assertThrows(UnsupportedOperationException.class, () -> StatementAnalysis.of(SCRIPT).touchesAt(1).clear());
    assertThrows(UnsupportedOperationException.class, () -> StatementAnalysis.requirements(SCRIPT).clear());
  }

  @Test
  void everyAskerOfOneReadingGetsTheSameFlattenedListsAndTheyHoldWhatTheAnalyzerGives() {
    List<ExecStatement> copies = SCRIPT.stream().map(x -> new ExecStatement(x.index(), x.line(), x.text())).toList();
    // the privilege check, the BEGIN readings, the blockers gate and the derived verify ask in turn
    assertSame(StatementAnalysis.touches(SCRIPT), StatementAnalysis.touches(copies));
    assertSame(StatementAnalysis.requirements(SCRIPT), StatementAnalysis.requirements(copies));
    assertSame(StatementAnalysis.touches(SCRIPT), dev.cutter.core.check.BeginRecheck.touches(copies));
    List<Touch> touches = new ArrayList<>();
    List<Requirement> reqs = new ArrayList<>();
    for (ExecStatement x : SCRIPT) {
      touches.addAll(DdlAnalyzer.touches(x.index(), x.line(), x.text()));
      reqs.addAll(DdlAnalyzer.analyze(x.index(), x.line(), x.text()));
    }
    assertEquals(touches, dev.cutter.core.check.BeginRecheck.touches(copies));
    assertEquals(reqs, StatementAnalysis.requirements(copies));
    assertThrows(UnsupportedOperationException.class, () -> dev.cutter.core.check.BeginRecheck.touches(SCRIPT).clear());
    // another list of statements is another reading, with lists of its own
    List<ExecStatement> other = List.of(new ExecStatement(1, 1, "create schema other"));
    assertNotSame(StatementAnalysis.touches(SCRIPT), StatementAnalysis.touches(other));
  }

  /**
   * R58: the session's path is compared right after the statement before each one that gives the path a
   * setting (a RESET, a SET, a ROLLBACK TO SAVEPOINT once one is set), with the setting the text leaves there;
   * not before a CREATE SCHEMA or a GRANT that names a role (no round trip where nothing could hide a change),
   * nor after a setting cutter cannot follow.
   */
  @Test
  void thePathIsComparedBeforeEachStatementThatGivesItASetting() {
    List<ExecStatement> script = script(
        "create schema s1",
        "grant usage on schema s1 to role_x",
        "select public.switch()",
        "reset search_path",
        "savepoint a",
        "set search_path = s1, public",
        "rollback to savepoint a",
        "set search_path = public");
    java.util.Map<Integer, ArtifactSearchPath.Setting> before = StatementAnalysis.beforePathChanges(script);
    assertEquals(java.util.Set.of(3, 5, 6), before.keySet());
    assertSame(ArtifactSearchPath.SESSION, before.get(3));
    assertEquals(List.of("s1", "public"), ((ArtifactSearchPath.Set) before.get(6)).elements());
    assertEquals(java.util.Map.of(), StatementAnalysis.beforePathChanges(SCRIPT));
  }

  /**
   * R60: the role is compared where the path is, and before a statement that switches it: BEGIN's or
   * the one a plain SET ROLE names, none after a switch the text cannot tell (RESET ROLE).
   */
  @Test
  void theRoleIsComparedAsTheTextLeavesIt() {
    List<ExecStatement> script = script(
        "select public.f()",
        "set role writer",
        "insert into t values (1)",
        "reset role",
        "set search_path = s1",
        "insert into t values (1)");
    assertEquals(java.util.Map.of(1, ExpectedRole.AT_BEGIN, 3, new ExpectedRole.Named("writer")),
        StatementAnalysis.rolesBefore(script));
    assertEquals(ExpectedRole.UNKNOWN, StatementAnalysis.finalRole(script));
    assertEquals(ExpectedRole.AT_BEGIN, StatementAnalysis.finalRole(SCRIPT));
    // a DO block that resets the role (a privileged login the trust policy allows): the text cannot tell
    assertEquals(ExpectedRole.UNKNOWN, StatementAnalysis.finalRole(script("do $$ begin execute 'reset role'; end $$")));
  }

  /**
   * R61: in autocommit mode the session after each statement shows what the text leaves, as transaction mode reads it,
   * but a local setting ends with its own statement and leaves the one before it; a role switched otherwise than by a
   * plain SET ROLE is not compared (unknown). Only a plain SET or RESET of the path (not LOCAL, not a query) or of the
   * role resolves no name.
   */
  @Test
  void theAutocommitSessionAfterEachStatementIsWhatTheTextLeavesForTheSession() {
    List<ExecStatement> script = script(
        "select public.switch()",
        "set search_path = s1, public",
        "set local search_path = s2",
        "select pg_catalog.set_config('search_path', 's3', true)",
        "insert into t values (1)",
        "set role writer",
        "reset search_path",
        "set local role reader");
    List<StatementAnalysis.SessionAfter> after = StatementAnalysis.autocommitSessions(script);
    assertSame(StatementAnalysis.SessionAfter.UNCHANGED, after.get(0));
    for (int i = 1; i <= 4; i++) {
      assertEquals(List.of("s1", "public"), ((ArtifactSearchPath.Set) after.get(i).path()).elements(), "statement " + (i + 1));
      assertEquals(ExpectedRole.AT_BEGIN, after.get(i).role());
    }
    assertEquals(new ExpectedRole.Named("writer"), after.get(5).role());
    assertEquals(new StatementAnalysis.SessionAfter(ArtifactSearchPath.SESSION, new ExpectedRole.Named("writer")), after.get(6));
    assertEquals(ExpectedRole.UNKNOWN, after.get(7).role());
    assertEquals(java.util.Collections.nCopies(3, StatementAnalysis.SessionAfter.UNCHANGED),
        StatementAnalysis.autocommitSessions(script("select public.switch()", "insert into t values (1)", "select 1")));

    for (String only : List.of("set search_path = s1", "SET SESSION search_path TO default", "reset search_path",
        "reset all", "set schema 's1'")) {
      assertEquals(true, ArtifactSearchPath.setsPathOnly(only), only);
    }
    for (String not : List.of("set local search_path = s1", "select set_config('search_path', 's1', false)",
        "set lock_timeout = 1", "insert into t values (1)", "set role writer")) {
      assertEquals(false, ArtifactSearchPath.setsPathOnly(not), not);
    }
    for (String only : List.of("set role writer", "reset role", "set session role none", "set session authorization x")) {
      assertEquals(true, ArtifactSearchPath.setsRoleOnly(only), only);
    }
    for (String not : List.of("set local role writer", "select set_config('role', 'x', false)", "set search_path = s1")) {
      assertEquals(false, ArtifactSearchPath.setsRoleOnly(not), not);
    }
  }

  /** Statements numbered from 1, one a line. */
  private static List<ExecStatement> script(String... texts) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.add(new ExecStatement(i + 1, i + 1, texts[i]));
    }
    return out;
  }
}
