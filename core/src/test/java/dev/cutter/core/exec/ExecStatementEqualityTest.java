package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.sql.CopyData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ExecStatement's written-out equals and hashCode tell apart statements that differ in any one component, as a record's would. */
class ExecStatementEqualityTest {

  @Test
  void statementsThatDifferInAnyOneComponentAreNotEqualAndEqualOnesHashAlike() {
    CopyData data = new CopyData(2, 2, true, "1\ta\n");
    ExecStatement s = new ExecStatement(3, 7, "copy t from stdin", data, Boolean.TRUE);
    ExecStatement same = new ExecStatement(3, 7, new String("copy t from stdin"), new CopyData(2, 2, true, "1\ta\n"), Boolean.TRUE);
    assertThat(s).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(List.of(new ExecStatement(4, 7, "copy t from stdin", data, Boolean.TRUE),
        new ExecStatement(3, 8, "copy t from stdin", data, Boolean.TRUE),
        new ExecStatement(3, 7, "copy u from stdin", data, Boolean.TRUE),
        new ExecStatement(3, 7, "copy t from stdin", new CopyData(2, 2, true, "2\tb\n"), Boolean.TRUE),
        new ExecStatement(3, 7, "copy t from stdin", null, Boolean.TRUE),
        new ExecStatement(3, 7, "copy t from stdin", data, Boolean.FALSE),
        new ExecStatement(3, 7, "copy t from stdin", data, null))).allSatisfy(o -> assertThat(o).isNotEqualTo(s));
    assertThat(s).isNotEqualTo(null).isNotEqualTo("copy t from stdin");
    assertThat(new ExecStatement(1, 1, null, null, null)).isEqualTo(new ExecStatement(1, 1, null, null, null));
  }
}
