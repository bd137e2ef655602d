package dev.cutter.core.check.derived;

import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.ObjectName;
import dev.cutter.core.check.derived.SqlTokens.Kind;
import dev.cutter.core.check.derived.SqlTokens.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the DDL of an artifact, one statement at a time, and lists the privileges it needs:
 * {@code CREATE TABLE/VIEW/MATERIALIZED VIEW/SEQUENCE/FUNCTION/PROCEDURE/TYPE/DOMAIN},
 * {@code CREATE INDEX … ON}, {@code CREATE SCHEMA}, {@code ALTER}/{@code DROP <kind>},
 * {@code REFERENCES}, {@code PARTITION OF}, {@code INHERITS}, {@code ATTACH PARTITION},
 * {@code RENAME TO}/{@code SET SCHEMA} and temporary objects. Any other statement (DML, GRANT,
 * COMMENT, DO, …) but SET/RESET/SHOW and transaction control is named {@link Requirement.NotDerived}:
 * what it needs is not read here.
 */
public final class DdlAnalyzer {

  private static final Set<String> CREATE_MODIFIERS =
      Set.of("temp", "temporary", "local", "global", "unlogged", "recursive", "unique", "trusted", "procedural");

  private static final Map<String, ObjectKind> KINDS = Map.of(
      "table", ObjectKind.TABLE,
      "view", ObjectKind.VIEW,
      "index", ObjectKind.INDEX,
      "sequence", ObjectKind.SEQUENCE,
      "function", ObjectKind.FUNCTION,
      "procedure", ObjectKind.PROCEDURE,
      "type", ObjectKind.TYPE,
      "domain", ObjectKind.DOMAIN,
      "schema", ObjectKind.SCHEMA);

  private final List<Requirement> found = new ArrayList<>();

  /** The index a CREATE INDEX statement names, in its table's schema; null for any other statement. */
  private ObjectName createdIndex;

  /** Requirements of {@code text}, statement {@code index} starting at artifact line {@code startLine}. */
  public static List<Requirement> analyze(int index, int startLine, String text) {
    DdlAnalyzer a = new DdlAnalyzer();
    a.statement(index, startLine, SqlTokens.of(text));
    return a.found;
  }

  /**
   * The objects {@code text} touches and how ({@link Touch}): everything {@link #analyze} finds,
   * plus {@code ALTER TABLE … DROP [COLUMN]}, {@code CREATE TRIGGER … ON}, {@code TRUNCATE} and the
   * target of {@code INSERT INTO}, {@code UPDATE}, {@code DELETE FROM}, {@code MERGE INTO} and {@code COPY … FROM}
   * (statements that start with {@code WITH} are not followed into).
   */
  public static List<Touch> touches(int index, int startLine, String text) {
    return both(index, startLine, text).touches();
  }

  /**
   * The index {@code CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON table} makes,
   * named in its table's schema (an index always lives where its table does; unqualified when the
   * table is); empty for any other statement and for an index whose name the server chooses.
   */
  public static Optional<ObjectName> createdIndex(int index, int startLine, String text) {
    DdlAnalyzer a = new DdlAnalyzer();
    a.statement(index, startLine, SqlTokens.of(text));
    return Optional.ofNullable(a.createdIndex);
  }

  /** What one statement needs and touches, from one reading of its text. */
  record Reading(List<Requirement> requirements, List<Touch> touches) {}

  /** {@link #analyze} and {@link #touches} of one statement, tokenized once. */
  static Reading both(int index, int startLine, String text) {
    List<Token> t = SqlTokens.of(text);
    DdlAnalyzer a = new DdlAnalyzer();
    a.statement(index, startLine, t);
    return new Reading(List.copyOf(a.found), touchesOf(a, t, index, startLine));
  }

  private static List<Touch> touchesOf(DdlAnalyzer a, List<Token> t, int index, int startLine) {
    List<Touch> out = new ArrayList<>();
    for (Requirement r : a.found) {
      if (r instanceof Requirement.CreateIn ci) {
        out.add(new Touch(ci.kind(), ci.object(), Touch.Action.CREATE, index, r.line(), ci.mayCreateNothing()));
      } else if (r instanceof Requirement.CreateSchema cs) {
        out.add(new Touch(ObjectKind.SCHEMA, ObjectName.unqualified(cs.schema()), Touch.Action.CREATE, index, r.line()));
      } else if (r instanceof Requirement.CreateIndex ix) {
        out.add(new Touch(ObjectKind.TABLE, ix.table(), Touch.Action.INDEX_ON, index, r.line()));
      } else if (r instanceof Requirement.Owns o) {
        out.add(new Touch(o.kind(), o.object(), o.verb().equals("DROP") ? Touch.Action.DROP : Touch.Action.ALTER,
            index, r.line()));
      } else if (r instanceof Requirement.References ref) {
        out.add(new Touch(ObjectKind.TABLE, ref.table(), Touch.Action.REFERENCE, index, r.line()));
      }
    }
    if (t.isEmpty()) {
      return out;
    }
    Cursor c = new Cursor(t, index, startLine);
    if (c.accept("alter")) {
      if (kind(c) == ObjectKind.TABLE) {
        c.ifExists();
        c.accept("only");
        ObjectName table = c.name();
        if (table != null) {
          droppedColumns(c, table, out);
        }
      }
    } else if (c.accept("create")) {
      if (c.accept("or")) {
        c.accept("replace");
      }
      c.accept("constraint");
      if (c.accept("trigger")) {
        c.name();
        while (c.more() && !c.peekIs("on")) {
          c.next();
        }
        if (c.accept("on")) {
          relation(c, Touch.Action.TRIGGER_ON, out);
        }
      }
    } else if (c.accept("truncate")) {
      c.accept("table");
      do {
        c.accept("only");
        relation(c, Touch.Action.TRUNCATE, out);
        c.acceptPunct('*');
      } while (c.acceptPunct(','));
    } else if (c.accept("insert") && c.accept("into")) {
      relation(c, Touch.Action.INSERT, out);
    } else if (c.accept("update")) {
      c.accept("only");
      relation(c, Touch.Action.UPDATE, out);
    } else if (c.accept("delete") && c.accept("from")) {
      c.accept("only");
      relation(c, Touch.Action.DELETE, out);
    } else if (c.accept("merge") && c.accept("into")) {
      c.accept("only");
      relation(c, Touch.Action.UPDATE, out);
    } else if (c.accept("copy")) {
      // COPY t [(columns)] FROM …: writes t as INSERT does (its triggers run); COPY (query) or COPY t TO reads
      int line = c.line();
      ObjectName name = c.name();
      if (name != null) {
        c.skipParenthesized();
        if (c.peekIs("from")) {
          out.add(new Touch(ObjectKind.TABLE, name, Touch.Action.INSERT, c.index, line));
        }
      }
    }
    return out;
  }

  private static void relation(Cursor c, Touch.Action action, List<Touch> out) {
    int line = c.line();
    ObjectName name = c.name();
    if (name != null) {
      out.add(new Touch(ObjectKind.TABLE, name, action, c.index, line));
    }
  }

  /** {@code DROP [COLUMN] [IF EXISTS] c} at the start of an ALTER TABLE clause (not DROP CONSTRAINT). */
  private static void droppedColumns(Cursor c, ObjectName table, List<Touch> out) {
    boolean clauseStart = true;
    int depth = 0;
    while (c.more()) {
      int line = c.line();
      Token x = c.next();
      if (x.isPunct('(')) {
        depth++;
      } else if (x.isPunct(')')) {
        depth--;
      } else if (depth == 0 && x.isPunct(',')) {
        clauseStart = true;
        continue;
      } else if (depth == 0 && clauseStart && x.is("drop") && !c.peekIs("constraint")) {
        out.add(new Touch(ObjectKind.TABLE, table, Touch.Action.DROP_COLUMN, c.index, line));
      }
      clauseStart = false;
    }
  }

  private void statement(int index, int startLine, List<Token> t) {
    if (t.isEmpty()) {
      return;
    }
    Cursor c = new Cursor(t, index, startLine);
    if (c.accept("create")) {
      create(c);
    } else if (c.accept("alter")) {
      alter(c);
    } else if (c.accept("drop")) {
      drop(c);
    }
    if (found.isEmpty() && !NEED_NOTHING.contains(t.get(0).text())) {
      String first = t.get(0).kind() == Kind.WORD ? t.get(0).text() : "sql";
      boolean twoWords = (first.equals("create") || first.equals("alter") || first.equals("drop"))
          && t.size() > 1 && t.get(1).kind() == Kind.WORD;
      String command = twoWords ? first + " " + t.get(1).text() : first;
      found.add(new Requirement.NotDerived(command.toUpperCase(java.util.Locale.ROOT), index, startLine + t.get(0).line()));
    }
  }

  /** Leading words of statements that need no privilege. */
  private static final Set<String> NEED_NOTHING = Set.of("set", "reset", "show", "begin", "start", "commit", "end",
      "rollback", "abort", "savepoint", "release", "discard", "deallocate");

  private void create(Cursor c) {
    boolean orReplace = c.accept("or") && c.accept("replace");
    boolean temporary = false;
    while (c.peekWord() != null && CREATE_MODIFIERS.contains(c.peekWord())) {
      String m = c.next().text();
      temporary |= m.equals("temp") || m.equals("temporary");
    }
    ObjectKind kind = kind(c);
    if (kind == null) {
      return;
    }
    int line = c.line();
    switch (kind) {
      case SCHEMA -> {
        c.ifNotExists();
        if (c.accept("authorization")) {
          ObjectName role = c.name();
          if (role != null) {
            found.add(new Requirement.CreateSchema(role.name(), c.index, line));
          }
        } else {
          ObjectName s = c.name();
          if (s != null) {
            found.add(new Requirement.CreateSchema(s.name(), c.index, line));
          }
        }
      }
      case INDEX -> {
        c.accept("concurrently");
        c.ifNotExists();
        ObjectName index = c.peekIs("on") ? null : c.name();
        if (c.accept("on")) {
          c.accept("only");
          ObjectName table = c.name();
          if (table != null) {
            found.add(new Requirement.CreateIndex(table, c.index, line));
            if (index != null) {
              createdIndex = new ObjectName(table.schema(), index.name());
            }
          }
        }
      }
      default -> {
        boolean ifNotExists = c.ifNotExists();
        ObjectName name = c.name();
        if (name != null && !temporary) {
          found.add(new Requirement.CreateIn(kind, name, c.index, line, orReplace || ifNotExists));
        } else if (name != null) {
          found.add(new Requirement.CreateTemporary(kind, name, c.index, line));
        }
        if (kind == ObjectKind.TABLE) {
          tableClauses(c);
        }
      }
    }
  }

  /** {@code REFERENCES t}, {@code PARTITION OF t}, {@code INHERITS (t, …)} anywhere in the rest. */
  private void tableClauses(Cursor c) {
    while (c.more()) {
      int line = c.line();
      if (c.accept("references")) {
        ObjectName target = c.name();
        if (target != null) {
          found.add(new Requirement.References(target, c.index, line));
        }
      } else if (c.accept("partition") && c.accept("of")) {
        ObjectName parent = c.name();
        if (parent != null) {
          found.add(new Requirement.Owns(ObjectKind.TABLE, parent, false, "PARTITION OF", c.index, line));
        }
      } else if (c.accept("attach") && c.accept("partition")) {
        ObjectName part = c.name();
        if (part != null) {
          found.add(new Requirement.Owns(ObjectKind.TABLE, part, false, "ATTACH PARTITION", c.index, line));
        }
      } else if (c.accept("inherits") && c.acceptPunct('(')) {
        do {
          ObjectName parent = c.name();
          if (parent != null) {
            found.add(new Requirement.Owns(ObjectKind.TABLE, parent, false, "INHERITS", c.index, line));
          }
        } while (c.acceptPunct(','));
      } else {
        c.next();
      }
    }
  }

  private void alter(Cursor c) {
    ObjectKind kind = kind(c);
    if (kind == null || kind == ObjectKind.INDEX && c.peekIs("all")) {
      return;
    }
    int line = c.line();
    boolean ifExists = c.ifExists();
    c.accept("only");
    ObjectName name = c.name();
    if (name == null) {
      return;
    }
    found.add(new Requirement.Owns(kind, name, ifExists, "ALTER", c.index, line));
    c.skipParenthesized();
    renamedOrMoved(c, kind, name, line);
    if (kind == ObjectKind.TABLE) {
      tableClauses(c);
    }
  }

  /**
   * {@code RENAME TO n} of a relation, function or procedure needs CREATE on its schema, of a
   * schema CREATE on the database; {@code SET SCHEMA s} needs CREATE on {@code s}: as if the new
   * name were created. (A type or domain is renamed on ownership alone.)
   */
  private void renamedOrMoved(Cursor c, ObjectKind kind, ObjectName name, int line) {
    if (c.peekIs("rename") && c.peekIs(1, "to")) {
      c.next();
      c.next();
      ObjectName to = c.name();
      if (to == null) {
        return;
      }
      if (kind == ObjectKind.SCHEMA) {
        found.add(new Requirement.CreateSchema(to.name(), c.index, line));
      } else if (kind != ObjectKind.TYPE && kind != ObjectKind.DOMAIN) {
        found.add(new Requirement.CreateIn(kind, new ObjectName(name.schema(), to.name()), c.index, line));
      }
    } else if (kind != ObjectKind.SCHEMA && c.peekIs("set") && c.peekIs(1, "schema")) {
      c.next();
      c.next();
      ObjectName to = c.name();
      if (to != null) {
        found.add(new Requirement.CreateIn(kind, new ObjectName(to.name(), name.name()), c.index, line));
      }
    }
  }

  private void drop(Cursor c) {
    ObjectKind kind = kind(c);
    if (kind == null) {
      return;
    }
    c.accept("concurrently");
    boolean ifExists = c.ifExists();
    do {
      int line = c.line();
      ObjectName name = c.name();
      if (name == null) {
        return;
      }
      c.skipParenthesized();
      found.add(new Requirement.Owns(kind, name, ifExists, "DROP", c.index, line));
    } while (c.acceptPunct(','));
  }

  /** The object kind after CREATE/ALTER/DROP ({@code materialized view} and {@code foreign table} take two words). */
  private static ObjectKind kind(Cursor c) {
    if (c.accept("materialized")) {
      return c.accept("view") ? ObjectKind.MATERIALIZED_VIEW : null;
    }
    if (c.accept("foreign")) {
      return c.accept("table") ? ObjectKind.TABLE : null;
    }
    String w = c.peekWord();
    ObjectKind k = w == null ? null : KINDS.get(w);
    if (k != null) {
      c.next();
    }
    return k;
  }

  /** A position in the tokens of one statement. */
  private static final class Cursor {
    private final List<Token> t;
    private final int index;
    private final int startLine;
    private int p;

    Cursor(List<Token> t, int index, int startLine) {
      this.t = t;
      this.index = index;
      this.startLine = startLine;
    }

    boolean more() {
      return p < t.size();
    }

    Token next() {
      return t.get(p++);
    }

    int line() {
      return startLine + (more() ? t.get(p).line() : t.get(t.size() - 1).line());
    }

    String peekWord() {
      return more() && t.get(p).kind() == Kind.WORD ? t.get(p).text() : null;
    }

    boolean peekIs(String word) {
      return more() && t.get(p).is(word);
    }

    /** Whether the token {@code ahead} places past the next one is {@code word}. */
    boolean peekIs(int ahead, String word) {
      return p + ahead < t.size() && t.get(p + ahead).is(word);
    }

    boolean accept(String word) {
      if (peekIs(word)) {
        p++;
        return true;
      }
      return false;
    }

    boolean acceptPunct(char ch) {
      if (more() && t.get(p).isPunct(ch)) {
        p++;
        return true;
      }
      return false;
    }

    boolean ifNotExists() {
      if (peekIs("if") && p + 2 < t.size() && t.get(p + 1).is("not") && t.get(p + 2).is("exists")) {
        p += 3;
        return true;
      }
      return false;
    }

    boolean ifExists() {
      if (peekIs("if") && p + 1 < t.size() && t.get(p + 1).is("exists")) {
        p += 2;
        return true;
      }
      return false;
    }

    /** {@code name}, {@code schema.name} or {@code db.schema.name}; null when no name stands here. */
    ObjectName name() {
      List<String> parts = new ArrayList<>();
      while (more() && t.get(p).isName()) {
        parts.add(t.get(p++).text());
        if (!acceptPunct('.')) {
          break;
        }
      }
      if (parts.isEmpty()) {
        return null;
      }
      int n = parts.size();
      return n == 1 ? ObjectName.unqualified(parts.get(0)) : new ObjectName(parts.get(n - 2), parts.get(n - 1));
    }

    void skipParenthesized() {
      if (!acceptPunct('(')) {
        return;
      }
      int depth = 1;
      while (more() && depth > 0) {
        Token x = next();
        if (x.isPunct('(')) {
          depth++;
        } else if (x.isPunct(')')) {
          depth--;
        }
      }
    }
  }
}
