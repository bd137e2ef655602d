package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.db.DbErrors.ServerError;
import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An error the sender cannot attribute to one statement of a joined message names them all. */
class JoinedMessageCauseTest {

  private static final ServerError OOM = new ServerError("53200", "out of memory", null, null, null, 0, null, null,
      null, null, null);

  @Test
  void anErrorAmongTheStatementsOfAMessageIsTheirCauseNotTheFirstOnes() {
    Outcome among = new Outcome(Ending.ROLLED_BACK, 300, 200, List.of(), 201, 410, OOM, null, null, null, null, 205,
        418);
    assertThat(ApplyRun.sqlCause(among, "app")).isEqualTo(new Cause.StatementAmongFailed("53200", 201, 205, 410, 418,
        "app"));
    Outcome one = new Outcome(Ending.ROLLED_BACK, 300, 200, List.of(), 201, 410, OOM);
    assertThat(ApplyRun.sqlCause(one, "app")).isInstanceOf(Cause.SqlError.class);
  }
}
