package dev.cutter.core.db;

/**
 * How one connection was protected, as the report records it.
 *
 * @param encrypted the server says the session uses TLS ({@code pg_stat_ssl.ssl})
 * @param verified encrypted, and the server's certificate was checked against a root
 *     ({@code sslmode} verify-ca or verify-full in force)
 * @param sslmode the mode in force, as libpq names it
 * @param protocol the TLS version, e.g. {@code TLSv1.3}; null when not encrypted
 */
public record TlsState(boolean encrypted, boolean verified, String sslmode, String protocol) {}
