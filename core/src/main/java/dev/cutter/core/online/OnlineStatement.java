package dev.cutter.core.online;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One accepted statement of the online artifact: where it stands (1-based index, line, column),
 * what it is, its exact text, and for an index build what a failure could leave behind.
 *
 * @param owns the object apply_role must own for the statement to run, if any
 * @param builds for {@link OnlineKind#CREATE_INDEX} and {@link OnlineKind#REINDEX}: the index or
 *     scope being built, which the runner searches for an INVALID leftover after a failure
 */
public record OnlineStatement(int index, int line, int column, OnlineKind kind, String text, String summary,
    Optional<IndexBuild> builds, Optional<Owned> owns) {

  public OnlineStatement {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
    builds = builds == null ? Optional.empty() : builds;
    owns = owns == null ? Optional.empty() : owns;
  }

  /**
   * The object the statement needs apply_role to own (a table, an index, or with {@code type} an
   * enum type), as written: P1 checks it when it exists already.
   */
  public record Owned(List<String> name, boolean type) {
    public Owned {
      name = List.copyOf(name);
    }
  }

  /**
   * What an index-building statement works on, as names written in the statement (unquoted words
   * folded to lower case, quoted names kept): {@code relation} is the table of a CREATE INDEX or
   * the index or table of a REINDEX (qualified or not), {@code indexName} the index a CREATE INDEX
   * names (null for REINDEX), {@code scope} for REINDEX one of INDEX, TABLE, SCHEMA, DATABASE.
   */
  public record IndexBuild(String scope, List<String> relation, String indexName) {
    public IndexBuild {
      relation = List.copyOf(relation);
    }
  }
}
