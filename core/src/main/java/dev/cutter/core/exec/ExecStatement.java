package dev.cutter.core.exec;

/** A statement as the executor sends it: its 1-based index, its first line in the artifact, its exact text. */
public record ExecStatement(int index, int line, String text) {}
