package dev.cutter.core.check.derived;

import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.ObjectName;
import dev.cutter.core.check.derived.SqlTokens.Kind;
import dev.cutter.core.check.derived.SqlTokens.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the DDL of an artifact, one statement at a time, and lists the privileges it needs:
 * {@code CREATE TABLE/VIEW/MATERIALIZED VIEW/SEQUENCE/FUNCTION/PROCEDURE/TYPE/DOMAIN},
 * {@code CREATE INDEX … ON}, {@code CREATE SCHEMA}, {@code ALTER}/{@code DROP <kind>},
 * {@code REFERENCES}, {@code PARTITION OF} and {@code INHERITS}. Anything else (DML, GRANT,
 * COMMENT, function bodies) needs nothing this analysis can see and is passed over.
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

  /** Requirements of {@code text}, statement {@code index} starting at artifact line {@code startLine}. */
  public static List<Requirement> analyze(int index, int startLine, String text) {
    DdlAnalyzer a = new DdlAnalyzer();
    a.statement(index, startLine, SqlTokens.of(text));
    return a.found;
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
  }

  private void create(Cursor c) {
    if (c.accept("or")) {
      c.accept("replace");
    }
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
        if (!c.peekIs("on")) {
          c.name();
        }
        if (c.accept("on")) {
          c.accept("only");
          ObjectName table = c.name();
          if (table != null) {
            found.add(new Requirement.CreateIndex(table, c.index, line));
          }
        }
      }
      default -> {
        c.ifNotExists();
        ObjectName name = c.name();
        if (name != null && !temporary) {
          found.add(new Requirement.CreateIn(kind, name, c.index, line));
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
    if (kind == ObjectKind.TABLE) {
      tableClauses(c);
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

    void ifNotExists() {
      if (peekIs("if") && p + 2 < t.size() && t.get(p + 1).is("not") && t.get(p + 2).is("exists")) {
        p += 3;
      }
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
