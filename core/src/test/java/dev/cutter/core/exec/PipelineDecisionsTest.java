package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.sql.CopyData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;

/**
 * What the pipelined apply sends alone is decided once per list of statements, and can be decided
 * ahead of the apply's transaction (issue 14): the same decisions as statement by statement, never
 * another list's.
 */
class PipelineDecisionsTest {

  private static List<ExecStatement> statements(String... texts) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.add(new ExecStatement(i + 1, i + 1, texts[i]));
    }
    return out;
  }

  @Test
  void eachStatementIsDecidedAsTheSenderDecidedItStatementByStatement() {
    List<ExecStatement> list = new ArrayList<>(statements("create table t (a int)", "commit", "select 1; select 2",
        "select E'a\\'b'", "select 'a\\'; select 1", "", "\\gset", "create index concurrently i on t (a)",
        "start transaction", "comment on table t is E'x\\ny'"));
    list.add(new ExecStatement(11, 11, "copy t from stdin", new CopyData(12, 12, true, "1\n")));
    boolean[] alone = PipelineDecisions.alone(list);
    assertThat(alone).containsExactly(false, true, true, false, true, true, true, false, true, false, true);
    for (int i = 0; i < list.size(); i++) {
      ExecStatement s = list.get(i);
      assertThat(alone[i]).as(s.text()).isEqualTo(s.copyData() != null || !PipelinedSender.pipelinableSplittingTwice(s.text()));
    }
  }

  /**
   * How each statement joins its neighbours is decided with the rest (ahead of the transaction when
   * read ahead), as the sender decided it statement by statement: the same kind for every statement
   * before the join's end that does not go alone, none after it.
   */
  @Test
  void eachStatementsJoiningIsDecidedAsTheSenderDecidedItStatementByStatement() {
    List<ExecStatement> list = statements("create table j1 (a int);", "insert into j1 values (1);",
        "create function f() returns int language sql as $$select 1$$;", "comment on table j1 is 'x;y';",
        "select \"" + "n".repeat(70) + "\" from j1;", "create table j2 (a int)", "commit;",
        "set standard_conforming_strings = off;", "select 'a\\';", "create table j3 (a int);");
    boolean[] alone = PipelineDecisions.alone(list);
    boolean[] lexing = PipelineDecisions.lexing(list);
    int joinEnd = PipelineDecisions.joinEnd(list);
    Joining.Kind[] kinds = PipelineDecisions.kinds(list);
    assertThat(kinds).hasSize(list.size());
    assertThat(joinEnd).isGreaterThan(0);
    for (int i = 0; i < list.size(); i++) {
      Joining.Kind expected = i < joinEnd && !alone[i] ? Joining.kind(list.get(i).text(), lexing[i]) : Joining.Kind.OWN;
      assertThat(kinds[i]).as(list.get(i).text()).isEqualTo(expected);
    }
    assertThat(kinds).as("some join, some stand on their own").contains(Joining.Kind.OWN)
        .containsAnyOf(Joining.Kind.JOINS, Joining.Kind.LEADS, Joining.Kind.ENDS, Joining.Kind.CLOSES);
    assertThat(PipelineDecisions.kinds(list)).isSameAs(kinds);
  }

  @Test
  void aListDecidedAheadIsNotDecidedAgainForEqualStatements() throws Exception {
    List<ExecStatement> list = statements("create table a1 (x int)", "create index on a1 (x)", "vacuum a1");
    FutureTask<boolean[]> ahead = PipelineDecisions.readAhead(list);
    boolean[] decided = ahead.get();
    long readings = PipelineDecisions.readings();
    // the run hands the apply fresh records of the same statements
    boolean[] again = PipelineDecisions.alone(statements("create table a1 (x int)", "create index on a1 (x)", "vacuum a1"));
    assertThat(again).isSameAs(decided).containsExactly(false, false, false);
    assertThat(PipelineDecisions.readings()).isEqualTo(readings);
  }

  @Test
  void anotherListIsDecidedAfreshEvenWhenOnlyOneTextDiffers() {
    boolean[] first = PipelineDecisions.alone(statements("create table b1 (x int)", "select 1", "select 2"));
    assertThat(first).containsExactly(false, false, false);
    boolean[] second = PipelineDecisions.alone(statements("create table b1 (x int)", "commit", "select 2"));
    assertThat(second).containsExactly(false, true, false);
    // and the same texts at other positions (index, line) are another list too
    List<ExecStatement> moved = List.of(new ExecStatement(2, 5, "create table b1 (x int)"),
        new ExecStatement(3, 6, "commit"), new ExecStatement(4, 7, "select 2"));
    long readings = PipelineDecisions.readings();
    assertThat(PipelineDecisions.alone(moved)).containsExactly(false, true, false);
    assertThat(PipelineDecisions.readings()).isEqualTo(readings + 1);
  }

  @Test
  void aReadingAheadOvertakenByAnotherListDecidesNothing() throws Exception {
    List<ExecStatement> early = statements("select 'early'");
    List<ExecStatement> later = statements("commit");
    FutureTask<boolean[]> ahead;
    synchronized (PipelineDecisions.class) {
      // the reading ahead starts, but cannot decide before the later list is decided
      ahead = PipelineDecisions.readAhead(early);
      PipelineDecisions.alone(later);
    }
    assertThat(ahead.get()).isNull();
    assertThat(PipelineDecisions.alone(later)).containsExactly(true);
  }

  @Test
  void aReadingAheadAfterOtherWorkDecidesOnlyOnceThatWorkEndedHoweverItEnded() throws Exception {
    List<ExecStatement> list = statements("create table c1 (x int)", "begin");
    FutureTask<Object> analysis = new FutureTask<>(() -> {
      throw new IllegalStateException("the analysis failed");
    });
    long readings = PipelineDecisions.readings();
    FutureTask<boolean[]> ahead = PipelineDecisions.readAhead(list, analysis);
    Thread.sleep(200);
    assertThat(ahead.isDone()).isFalse();
    assertThat(PipelineDecisions.readings()).isEqualTo(readings);
    analysis.run();
    assertThat(ahead.get()).containsExactly(false, true);
    assertThat(PipelineDecisions.readings()).isEqualTo(readings + 1);
  }
}
