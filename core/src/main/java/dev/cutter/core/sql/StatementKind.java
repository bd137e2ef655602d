package dev.cutter.core.sql;

/** What a statement of a script is, as far as running it under cutter's rules is concerned. */
public enum StatementKind {
  /** Ordinary SQL that runs inside a transaction. */
  SQL,
  /** Only comments or a bare {@code ;}: psql sends it, the server does nothing. */
  EMPTY,
  /** BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE, PREPARE TRANSACTION. */
  TRANSACTION_CONTROL,
  /** A statement the server refuses inside a transaction block (SQLSTATE 25001). */
  NON_TRANSACTIONAL,
  /** {@code COPY … FROM STDIN}: its data follows in the script, which only psql can feed. */
  COPY_FROM_STDIN,
  /** A psql backslash command ({@code \set}, {@code \i}, {@code \c}, …); its text is the command line. */
  META_COMMAND
}
