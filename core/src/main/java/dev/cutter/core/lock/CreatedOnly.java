package dev.cutter.core.lock;

import dev.cutter.core.check.derived.SqlTokens;
import dev.cutter.core.check.derived.SqlTokens.Kind;
import dev.cutter.core.check.derived.SqlTokens.Token;
import dev.cutter.core.exec.ExecStatement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which statements of a script name only relations the script itself created before them (or
 * creates with them), so that a rehearsal need not measure its locks right after each of them
 * ({@link LockPlanRecorder}): another session cannot see such a relation, so a lock on it blocks
 * nobody. Deliberately narrow, and every unrecognised form counts as naming something that existed:
 * <ul>
 *   <li>{@code CREATE [TEMP|UNLOGGED] TABLE name (…)} with no {@code LIKE}, {@code INHERITS},
 *       {@code PARTITION OF}, {@code OF type} or {@code AS} (but {@code GENERATED … AS IDENTITY}),
 *       whose {@code REFERENCES} name only relations created before (or the table itself), and
 *       without {@code IF NOT EXISTS};</li>
 *   <li>{@code CREATE [TEMP|UNLOGGED] SEQUENCE name …} without {@code OWNED BY} and without {@code IF NOT EXISTS};</li>
 *   <li>{@code CREATE [UNIQUE] INDEX [name] ON [ONLY] table …} on a table created before;</li>
 *   <li>{@code CREATE [TEMP] VIEW name … AS query} (OR REPLACE only of a view created before) whose every
 *       {@code FROM}/{@code JOIN} item is a relation created before or a subquery, with no comma
 *       join, no {@code WITH}, no {@code TABLE x};</li>
 *   <li>{@code COMMENT ON TABLE|VIEW|INDEX|SEQUENCE|MATERIALIZED VIEW|COLUMN} of a relation created before;</li>
 *   <li>{@code CREATE SCHEMA name [AUTHORIZATION role]} with no schema elements.</li>
 * </ul>
 * Names are compared as written (a relation created as {@code s.t} and named {@code t} is not
 * recognised); unqualified names beginning with {@code pg_} never count (the system catalog is
 * searched first). Every statement outside the list forgets what was created before it, as it may
 * rename, move, drop or fill a relation or change {@code search_path}.
 *
 * <p>A statement wrongly taken for one of these cannot hide a lock: its locks stay held until the
 * transaction ends, so the recorder's next measurement sees them, and attributes them to the run of
 * statements since its previous measurement.
 */
public final class CreatedOnly {

  private final Set<String> created = new HashSet<>();
  private List<Token> t;
  private int p;

  private CreatedOnly() {}

  /** For each statement of {@code statements}, in order, whether it names only relations created by the script. */
  public static boolean[] of(List<ExecStatement> statements) {
    CreatedOnly c = new CreatedOnly();
    boolean[] out = new boolean[statements.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = c.statement(statements.get(i).text());
      if (!out[i]) {
        c.created.clear();
      }
    }
    return out;
  }

  private boolean statement(String text) {
    t = SqlTokens.of(text);
    p = 0;
    List<String> made = new ArrayList<>();
    boolean ok;
    if (accept("create")) {
      ok = create(made);
    } else if (accept("comment") && accept("on")) {
      ok = comment();
    } else {
      ok = false;
    }
    // a trailing ';' is the statement's end; anything else left over is not understood
    if (ok) {
      acceptPunct(';');
      ok = p == t.size();
    }
    if (ok) {
      created.addAll(made);
    }
    return ok;
  }

  private boolean create(List<String> made) {
    boolean replace = false;
    if (accept("or")) {
      if (!accept("replace")) {
        return false;
      }
      replace = true;
    }
    if (!replace && accept("schema")) {
      return schema();
    }
    if (!replace && (accept("unique") | true) && accept("index")) {
      return index(made);
    }
    if (!replace && (accept("global") || accept("local"))) {
      if (!(peekIs("temp") || peekIs("temporary"))) {
        return false;
      }
    }
    boolean modified = accept("temp") || accept("temporary") || (!replace && accept("unlogged"));
    if (!replace && accept("table")) {
      return table(made);
    }
    if (!replace && accept("sequence")) {
      return sequence(made);
    }
    if (accept("view")) {
      return view(made, replace);
    }
    return false;
  }

  private boolean schema() {
    if (accept("authorization")) {
      return name() != null;
    }
    if (accept("if") && !(accept("not") && accept("exists"))) {
      return false;
    }
    if (name() == null) {
      return false;
    }
    return !accept("authorization") || name() != null;
  }

  private boolean table(List<String> made) {
    String name = name();
    if (name == null || !peekPunct('(')) {
      return false; // IF NOT EXISTS, PARTITION OF, OF type, AS query
    }
    int end = closing(p);
    if (end < 0) {
      return false;
    }
    for (int i = p; i < t.size(); i++) {
      Token x = t.get(i);
      if (x.is("as") && i + 1 < t.size() && t.get(i + 1).is("identity")) {
        continue; // GENERATED … AS IDENTITY reads nothing
      }
      if (x.is("references")) {
        // a foreign key to a relation created before (or to itself) locks only what nobody else can see
        int at = p;
        p = i + 1;
        String referenced = name();
        int after = p;
        p = at;
        if (referenced == null || !(created.contains(referenced) || referenced.equals(name))) {
          return false;
        }
        i = after - 1;
        continue;
      }
      if (x.is("like") || x.is("inherits") || x.is("as") || x.is("of") || x.is("select") || x.is("execute")) {
        return false;
      }
    }
    p = t.size() - (t.get(t.size() - 1).isPunct(';') ? 1 : 0);
    made.add(name);
    return true;
  }

  private boolean sequence(List<String> made) {
    String name = name();
    if (name == null || peekIs("if")) {
      return false;
    }
    for (int i = p; i < t.size(); i++) {
      if (t.get(i).is("owned")) {
        return false;
      }
    }
    p = t.size() - (t.get(t.size() - 1).isPunct(';') ? 1 : 0);
    made.add(name);
    return true;
  }

  private boolean index(List<String> made) {
    if (peekIs("concurrently") || peekIs("if")) {
      return false;
    }
    String indexName = null;
    if (!peekIs("on")) {
      Token x = p < t.size() ? t.get(p) : null;
      if (x == null || !x.isName()) {
        return false;
      }
      indexName = x.text();
      p++;
    }
    if (!accept("on")) {
      return false;
    }
    accept("only");
    int at = p;
    String table = name();
    if (table == null || !created.contains(table)) {
      return false;
    }
    if (indexName != null) {
      // an index lives in its table's schema
      int parts = 1;
      for (int i = at; i < p; i++) {
        parts += t.get(i).isPunct('.') ? 1 : 0;
      }
      made.add(parts > 1 ? t.get(p - 3).text() + '\0' + indexName : indexName);
    }
    for (int i = p; i < t.size(); i++) {
      if (t.get(i).is("select") || t.get(i).is("from")) {
        return false;
      }
    }
    p = t.size() - (t.get(t.size() - 1).isPunct(';') ? 1 : 0);
    return true;
  }

  private boolean view(List<String> made, boolean replace) {
    String name = name();
    if (name == null || (replace && !created.contains(name))) {
      return false;
    }
    if (peekPunct('(')) {
      p = closing(p) + 1;
      if (p == 0) {
        return false;
      }
    }
    if (accept("with")) {
      if (!peekPunct('(')) {
        return false;
      }
      p = closing(p) + 1;
      if (p == 0) {
        return false;
      }
    }
    if (!accept("as")) {
      return false;
    }
    int stop = t.size() - (t.get(t.size() - 1).isPunct(';') ? 1 : 0);
    int end = stop;
    // a trailing WITH [CASCADED|LOCAL] CHECK OPTION is the only WITH allowed
    if (end >= 3 && t.get(end - 1).is("option") && t.get(end - 2).is("check")) {
      int w = end - 3;
      if (w >= 0 && (t.get(w).is("cascaded") || t.get(w).is("local"))) {
        w--;
      }
      if (w < 0 || !t.get(w).is("with")) {
        return false;
      }
      end = w;
    }
    for (int i = p; i < end; i++) {
      Token x = t.get(i);
      if (x.is("with") || x.is("table") || x.is("recursive")) {
        return false;
      }
      if (x.is("from") || x.is("join")) {
        p = i + 1;
        if (!fromItem(end)) {
          return false;
        }
      }
    }
    p = stop;
    made.add(name);
    return true;
  }

  /** One FROM or JOIN item at {@code p}: a relation created before, or a subquery; then an optional alias; no comma after. */
  private boolean fromItem(int end) {
    if (peekPunct('(')) {
      int close = closing(p);
      if (close < 0 || close >= end) {
        return false;
      }
      p = close + 1; // a subquery: its own FROMs are checked where the scan meets them
    } else {
      accept("only");
      String rel = name();
      if (rel == null || !created.contains(rel) || peekPunct('(') || peekPunct('*')) {
        return false;
      }
    }
    accept("as");
    if (p < end && t.get(p).isName() && !isClauseWord(t.get(p))) {
      p++;
    }
    return !(p < end && (peekPunct(',') || peekPunct('(')));
  }

  private static final Set<String> CLAUSE_WORDS = Set.of("where", "group", "having", "order", "limit", "offset",
      "window", "union", "except", "intersect", "on", "using", "join", "inner", "left", "right", "full", "cross",
      "natural", "fetch", "for", "with", "lateral");

  private static boolean isClauseWord(Token x) {
    return x.kind() == Kind.WORD && CLAUSE_WORDS.contains(x.text());
  }

  private boolean comment() {
    boolean column = false;
    if (accept("materialized")) {
      if (!accept("view")) {
        return false;
      }
    } else if (accept("column")) {
      column = true;
    } else if (!(accept("table") || accept("view") || accept("index") || accept("sequence"))) {
      return false;
    }
    int at = p;
    List<String> parts = parts();
    if (parts == null || (column && parts.size() < 2)) {
      return false;
    }
    if (column) {
      parts = parts.subList(0, parts.size() - 1);
    }
    String rel = key(parts);
    if (rel == null || !created.contains(rel) || !accept("is")) {
      return false;
    }
    if (p < t.size() && (t.get(p).kind() == Kind.STRING || t.get(p).is("null"))) {
      p++;
      return true;
    }
    p = at;
    return false;
  }

  // ---- tokens

  private boolean accept(String word) {
    if (p < t.size() && t.get(p).is(word)) {
      p++;
      return true;
    }
    return false;
  }

  private boolean peekIs(String word) {
    return p < t.size() && t.get(p).is(word);
  }

  private boolean peekPunct(char c) {
    return p < t.size() && t.get(p).isPunct(c);
  }

  private boolean acceptPunct(char c) {
    if (peekPunct(c)) {
      p++;
      return true;
    }
    return false;
  }

  /** The index of the ')' matching the '(' at {@code open}; -1 when there is none. */
  private int closing(int open) {
    int depth = 0;
    for (int i = open; i < t.size(); i++) {
      if (t.get(i).isPunct('(')) {
        depth++;
      } else if (t.get(i).isPunct(')')) {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    return -1;
  }

  /** A name of one to three parts at {@code p} as a key, or null (nothing is consumed then). */
  private String name() {
    int at = p;
    List<String> parts = parts();
    String k = parts == null ? null : key(parts);
    if (k == null) {
      p = at;
    }
    return k;
  }

  private List<String> parts() {
    List<String> parts = new ArrayList<>();
    while (p < t.size() && t.get(p).isName()) {
      parts.add(t.get(p).text());
      p++;
      if (!(peekPunct('.') && p + 1 < t.size() && t.get(p + 1).isName())) {
        break;
      }
      p++;
    }
    return parts.isEmpty() || parts.size() > 3 ? null : parts;
  }

  /** Parts joined by a character no identifier holds; an unqualified {@code pg_} name never counts. */
  private static String key(List<String> parts) {
    if (parts.size() == 1 && parts.get(0).startsWith("pg_")) {
      return null;
    }
    return String.join("\0", parts);
  }
}
