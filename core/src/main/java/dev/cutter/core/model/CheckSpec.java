package dev.cutter.core.model;

/**
 * One entry of a {@code preflight}, {@code verify} or rollback {@code precondition} list: the
 * check's name (the single key of the entry), its arguments as written, and where it stands.
 * The check type named validated {@code args} when the package was loaded.
 */
public record CheckSpec(String name, YamlValue args, SourcePosition position) {}
