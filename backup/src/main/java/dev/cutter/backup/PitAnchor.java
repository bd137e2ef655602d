package dev.cutter.backup;

/**
 * Where the dump sits in the server's history, read in the transaction whose snapshot pg_dump
 * imports, right after the snapshot was exported: {@code walLsn} is {@code pg_current_wal_lsn()}
 * on a primary and {@code pg_last_wal_replay_lsn()} on a standby ({@code standby} says which; null
 * when the server gave none), so every commit the dump contains lies at or before it; and
 * {@code snapshotXmin} is the xmin of that snapshot ({@code pg_current_snapshot()}): every
 * transaction with a lower id had ended when the dump's state was fixed. A point-in-time recovery
 * aimed at {@code recovery_target_lsn = walLsn} reaches at least the dump's state.
 */
public record PitAnchor(String walLsn, boolean standby, String snapshotXmin) {}
