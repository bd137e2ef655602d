package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.sql.CopyData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the decisions read ahead of the apply's transaction: a list that differs from the one
 * decided in anything the sender looks at (a statement's text, its position, whether COPY data
 * follows it) never gets that list's decisions, however alike the two look.
 */
class PipelineDecisionsAttackTest {

  @Test
  void theSameTextsInAnotherOrderAreDecidedInTheirOwnOrder() throws Exception {
    List<ExecStatement> decided = List.of(new ExecStatement(1, 1, "commit"), new ExecStatement(2, 2, "select 'd1'"));
    assertThat(PipelineDecisions.readAhead(decided).get()).containsExactly(true, false);
    // the same two statements, records equal one by one, swapped: the transaction control moved
    List<ExecStatement> swapped = List.of(decided.get(1), decided.get(0));
    assertThat(PipelineDecisions.alone(swapped)).containsExactly(false, true);
  }

  @Test
  void aStatementThatLostOrGainedItsCopyDataIsAnotherList() throws Exception {
    CopyData rows = new CopyData(3, 4, true, "1\n\\.\n");
    List<ExecStatement> withData = List.of(new ExecStatement(1, 1, "create table d2 (a int)"),
        new ExecStatement(2, 2, "select 'd2'", rows));
    assertThat(PipelineDecisions.readAhead(withData).get()).containsExactly(false, true);
    List<ExecStatement> without = List.of(new ExecStatement(1, 1, "create table d2 (a int)"),
        new ExecStatement(2, 2, "select 'd2'"));
    long readings = PipelineDecisions.readings();
    assertThat(PipelineDecisions.alone(without)).as("no data follows: it may share a window").containsExactly(false, false);
    assertThat(PipelineDecisions.readings()).isEqualTo(readings + 1);
    assertThat(PipelineDecisions.alone(withData)).as("and back: decided again, alone").containsExactly(false, true);
  }

  @Test
  void aStatementJoinedByBackslashSemicolonInTheAppliedListIsAloneWhateverWasDecidedAhead() throws Exception {
    List<ExecStatement> signed = List.of(new ExecStatement(1, 1, "select 'd3'"), new ExecStatement(2, 2, "select 2"));
    FutureTask<boolean[]> ahead = PipelineDecisions.readAhead(signed);
    assertThat(ahead.get()).containsExactly(false, false);
    // one character more in the text at the same index and line: two commands in one message
    List<ExecStatement> applied = List.of(new ExecStatement(1, 1, "select 'd3'"),
        new ExecStatement(2, 2, "select 2; select 3"));
    assertThat(PipelineDecisions.alone(applied)).containsExactly(false, true);
  }

  @Test
  void aListChangedByItsCallerAfterTheReadingAheadIsDecidedAgainAsItNowIs() throws Exception {
    List<ExecStatement> list = new ArrayList<>(List.of(new ExecStatement(1, 1, "select 'd4'"),
        new ExecStatement(2, 2, "select 2")));
    assertThat(PipelineDecisions.readAhead(list).get()).containsExactly(false, false);
    list.set(1, new ExecStatement(2, 2, "rollback"));
    assertThat(PipelineDecisions.alone(list)).as("the kept decisions were for a copy of the list as it was")
        .containsExactly(false, true);
  }
}
