package dev.cutter.core.lock;

/**
 * One lock a statement's session newly held once the statement had run, read from
 * {@code pg_locks}: the relation (schema-qualified; {@code oid N} when neither the session nor
 * the committed catalog could name it), its kind ({@code pg_class.relkind}), the mode, whether the
 * relation existed before the change (its oid is in the committed catalog), its size in bytes
 * ({@code pg_relation_size} at the end of the rehearsal; null when the change dropped it) and the
 * planner's estimated rows ({@code reltuples}; null when never analyzed), and whether this
 * statement rewrote it (its relfilenode changed since the session last saw it, or since the
 * transaction began for the statement that locked it first).
 */
public record MeasuredLock(String relation, String kind, LockMode mode, boolean preExisting, Long sizeBytes,
    Double estimatedRows, boolean rewritten) {}
