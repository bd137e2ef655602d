package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatementClassifierTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      select 1                                         | SQL
      /* begin; */ select 'commit'                     | SQL
      ;                                                | EMPTY
      -- nothing                                       | EMPTY
      BEGIN                                            | TRANSACTION_CONTROL
      begin isolation level serializable               | TRANSACTION_CONTROL
      Start Transaction                                | TRANSACTION_CONTROL
      commit                                           | TRANSACTION_CONTROL
      END                                              | TRANSACTION_CONTROL
      abort                                            | TRANSACTION_CONTROL
      rollback to savepoint s                          | TRANSACTION_CONTROL
      savepoint s                                      | TRANSACTION_CONTROL
      release s                                        | TRANSACTION_CONTROL
      prepare transaction 'x'                          | TRANSACTION_CONTROL
      prepare q as select 1                            | SQL
      commit prepared 'x'                              | NON_TRANSACTIONAL
      ROLLBACK PREPARED 'x'                            | NON_TRANSACTIONAL
      copy t (a, b) from stdin                         | COPY_FROM_STDIN
      COPY t FROM STDIN WITH (FORMAT csv)              | COPY_FROM_STDIN
      copy t from '/srv/file.csv'                      | SQL
      copy (select 'from stdin') to stdout             | SQL
      create index concurrently i on t (a)             | NON_TRANSACTIONAL
      create unique index concurrently i on t (a)      | NON_TRANSACTIONAL
      create index i on t (a)                          | SQL
      create index concurrently_named on t (a)         | SQL
      drop index concurrently i                        | NON_TRANSACTIONAL
      drop index i                                     | SQL
      reindex table concurrently t                     | NON_TRANSACTIONAL
      reindex (verbose, concurrently) index i          | NON_TRANSACTIONAL
      reindex schema s                                 | NON_TRANSACTIONAL
      reindex (concurrently false) schema s            | NON_TRANSACTIONAL
      reindex (concurrently off, verbose) table t      | SQL
      reindex (concurrently, verbose) table t          | NON_TRANSACTIONAL
      reindex database d                               | NON_TRANSACTIONAL
      reindex system d                                 | NON_TRANSACTIONAL
      reindex table t                                  | SQL
      vacuum                                           | NON_TRANSACTIONAL
      VACUUM (ANALYZE) t                               | NON_TRANSACTIONAL
      cluster                                          | NON_TRANSACTIONAL
      cluster verbose                                  | NON_TRANSACTIONAL
      cluster t using i                                | SQL
      create database d                                | NON_TRANSACTIONAL
      drop database d                                  | NON_TRANSACTIONAL
      alter database d set tablespace ts               | NON_TRANSACTIONAL
      alter database d set default_tablespace = ts     | SQL
      create tablespace ts location '/x'               | NON_TRANSACTIONAL
      drop tablespace ts                               | NON_TRANSACTIONAL
      alter system set work_mem = '1MB'                | NON_TRANSACTIONAL
      discard all                                      | NON_TRANSACTIONAL
      discard plans                                    | SQL
      alter table p detach partition c concurrently    | NON_TRANSACTIONAL
      alter table p detach partition c                 | SQL
      create subscription s connection 'x' publication p | NON_TRANSACTIONAL
      create subscription s connection 'x' publication p with (connect = false) | SQL
      create subscription s connection 'x' publication p with (create_slot = 'off', connect = false) | SQL
      create subscription s connection 'x' publication p with (binary = false) | NON_TRANSACTIONAL
      drop subscription s                              | NON_TRANSACTIONAL
      alter subscription s refresh publication         | NON_TRANSACTIONAL
      alter subscription s set publication p           | NON_TRANSACTIONAL
      alter subscription s set publication p with (refresh = false) | SQL
      alter subscription s disable                     | SQL
      alter type mood add value 'meh'                  | SQL
      """)
  void classifiesByLeadingTokens(String text, StatementKind expected) {
    assertThat(StatementClassifier.classify(text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
      set standard_conforming_strings = off             | false
      SET SESSION standard_conforming_strings TO 'on'   | true
      set local standard_conforming_strings to false    | false
      reset standard_conforming_strings                 | true
      reset all                                         | true
      set standard_conforming_strings = maybe           | null
      set search_path = x                               | null
      select set_config('standard_conforming_strings', 'off', false) | null
      """)
  void recognisesChangesToStandardConformingStrings(String text, Boolean expected) {
    assertThat(StatementClassifier.standardConformingStringsSetTo(text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      begin;                              | true  | false
      BEGIN WORK;                         | true  | false
      start transaction;                  | true  | false
      begin isolation level serializable; | false | false
      commit;                             | false | true
      end transaction;                    | false | true
      commit and chain;                   | false | false
      """)
  void recognisesPlainBeginAndCommit(String text, boolean begin, boolean commit) {
    assertThat(StatementClassifier.isPlainBegin(text)).isEqualTo(begin);
    assertThat(StatementClassifier.isPlainCommit(text)).isEqualTo(commit);
  }
}
