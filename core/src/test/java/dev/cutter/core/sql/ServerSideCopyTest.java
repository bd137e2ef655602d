package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which COPY statements touch the server's files or run a program there. */
class ServerSideCopyTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      copy (select 1) to program 'touch /tmp/x'                  | program
      COPY t FROM PROGRAM 'id'                                   | PROGRAM
      copy t from '/etc/passwd'                                  | '/etc/passwd'
      copy t (a, b) to E'/tmp/out'                               | E'/tmp/out'
      copy /* to stdout */ t to $$/tmp/x$$                       | $$/tmp/x$$
      copy (select 'x' from t) to 'f' with (format csv)          | 'f'
      copy (select 1 from t) to stdout                           | -
      copy t from stdin                                          | -
      copy "program" to stdout                                   | -
      select 'copy t to program'                                 | -
      do $$ begin execute 'copy t to program ''x'''; end $$      | -
      """)
  void findsTheServerSideTarget(String sql, String expected) {
    int at = StatementClassifier.serverSideCopyOffset(sql);
    if (expected.equals("-")) {
      assertThat(at).as("not server side: %s", sql).isEqualTo(-1);
    } else {
      assertThat(at).as(sql).isNotNegative();
      assertThat(sql.substring(at)).startsWith(expected);
    }
  }
}
