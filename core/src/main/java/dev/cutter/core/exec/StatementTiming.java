package dev.cutter.core.exec;

/**
 * How long one statement of the apply took: its 1-based index, its first line in the artifact,
 * the first line of its text (see {@link StatementTimings#firstLine}; null beyond the
 * {@link StatementTimings#TEXTS_KEPT} slowest) and the milliseconds from sending it to its last
 * result (monotonic clock). A statement that failed is timed too.
 */
public record StatementTiming(int index, int line, String text, long durationMs) {}
