package dev.cutter.core.model;

import java.util.Optional;

/**
 * The database the package is for, and the roles it runs as. {@code serverVersion} is a required
 * major version when present; {@code backupRole} defaults to the login role when absent.
 */
public record Target(
    String database,
    String systemIdentifier,
    Optional<String> serverVersion,
    String applyRole,
    Optional<String> backupRole) {}
