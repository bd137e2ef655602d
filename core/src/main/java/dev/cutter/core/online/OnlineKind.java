package dev.cutter.core.online;

/** The statements an online step may hold: each runs outside a transaction block, without a long strong lock. */
public enum OnlineKind {
  /** {@code CREATE [UNIQUE] INDEX CONCURRENTLY name ON table …}; a failed build leaves an INVALID index. */
  CREATE_INDEX,
  /** {@code DROP INDEX CONCURRENTLY …}. */
  DROP_INDEX,
  /** {@code REINDEX … {INDEX|TABLE|SCHEMA|DATABASE} CONCURRENTLY name}; a failure leaves INVALID {@code _ccnew} indexes. */
  REINDEX,
  /** {@code ALTER TABLE … VALIDATE CONSTRAINT name}. */
  VALIDATE_CONSTRAINT,
  /** {@code ALTER TYPE … ADD VALUE …}. */
  ADD_ENUM_VALUE,
  /** {@code ANALYZE …}. */
  ANALYZE
}
