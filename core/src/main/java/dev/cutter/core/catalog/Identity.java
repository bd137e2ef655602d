package dev.cutter.core.catalog;

/** Who the target is: its cluster's system identifier, the database and the server's major version. */
public record Identity(String systemIdentifier, String database, int serverMajor, String serverVersion) {}
