/**
 * SQL scripts as psql 15 reads them: {@link dev.cutter.core.sql.SqlSplitter} splits a script into
 * {@link dev.cutter.core.sql.SqlStatement}s of a {@link dev.cutter.core.sql.StatementKind};
 * {@link dev.cutter.core.sql.ArtifactScript} judges a package artifact against cutter's rules;
 * {@link dev.cutter.core.sql.SqlListing} prints what {@code cutter sql split} shows.
 */
package dev.cutter.core.sql;
