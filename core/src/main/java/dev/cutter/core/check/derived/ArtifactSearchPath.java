package dev.cutter.core.check.derived;

import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.check.derived.SqlTokens.Kind;
import dev.cutter.core.check.derived.SqlTokens.Token;
import java.util.ArrayList;
import java.util.List;

/**
 * The search_path the artifact's own statements set, followed statement by statement. Until the
 * artifact sets one, unqualified names resolve through apply_role's (the session's) and every
 * check reads them so. After {@code SET [SESSION | LOCAL] search_path {TO | =} …} or {@code SELECT
 * [pg_catalog.]set_config('search_path', '…', true | false)}, they resolve through the artifact's:
 * the analysis then names an unqualified object in the first schema the artifact listed (not
 * {@code pg_catalog}, not {@code pg_temp}), and P1, BEGIN and the step before COMMIT prove that
 * PostgreSQL resolves it there ({@link ArtifactNames}). {@code RESET search_path}, {@code RESET
 * ALL} and {@code SET search_path TO DEFAULT} give the session's back.
 *
 * <p>A change cutter cannot follow from the text — {@code set_config} with a computed value, a
 * {@code DO} block or a call that names {@code search_path}, {@code SET … FROM CURRENT}, a
 * {@code ROLLBACK TO SAVEPOINT} after the artifact set one — leaves every later unqualified name
 * unresolved, and P1 refuses them. A function that sets it without naming it in the artifact's
 * text is not seen (docs/threat-model.md).
 */
public final class ArtifactSearchPath {

  private ArtifactSearchPath() {}

  /** The search_path in effect while a statement runs. */
  public sealed interface Setting {}

  /** The session's own (apply_role's): the artifact has set none, or reset it. */
  public record SessionDefault() implements Setting {}

  /** The session's own. */
  public static final Setting SESSION = new SessionDefault();

  /**
   * One the artifact set at {@code statement} ({@code line}): {@code elements} as the server stores
   * them (folded unless quoted; {@code $user} kept as written), {@code local} for {@code SET LOCAL}
   * or {@code set_config(…, true)}.
   */
  public record Set(List<String> elements, boolean local, int statement, int line) implements Setting {
    public Set {
      elements = List.copyOf(elements);
    }

    /**
     * The first schema listed that is neither the catalog nor the temporary schema: where an
     * unqualified CREATE goes, and where cutter names an unqualified object; null when there is
     * none or it is {@code $user} (the role's name, which the text alone cannot tell).
     */
    public String first() {
      for (String e : elements) {
        if (e.equals("pg_catalog") || e.equals("pg_temp") || e.isEmpty()) {
          continue; // an empty name ('') names no schema
        }
        return e.equals("$user") ? null : e;
      }
      return null;
    }

    /** Whether {@code pg_catalog} is searched before {@link #first()} (it is unless listed after it). */
    public boolean catalogFirst() {
      int catalog = elements.indexOf("pg_catalog");
      return catalog < 0 || catalog < elements.indexOf(first());
    }

    /** As the setting would be written back: {@code app, public}. */
    public String written() {
      return String.join(", ", elements.stream().map(e -> e.equals("$user") ? "\"$user\"" : Identifiers.quote(e)).toList());
    }
  }

  /** One the artifact changed at {@code statement} ({@code line}) in a way the text does not tell. */
  public record Unfollowed(int statement, int line, String how) implements Setting {}

  /**
   * An object statement {@code statement} ({@code line}) names unqualified while the artifact's own
   * search_path {@code setting} is in effect: the analysis named it in {@code schema} (the first
   * schema the setting lists), null where it could not ({@link Unfollowed}, no schema listed, or
   * {@code $user} first). {@code created}: the artifact creates it in that statement or an earlier
   * one; {@code schemaCreated}: the artifact creates that schema before this statement.
   */
  public record PathName(dev.cutter.core.catalog.ObjectKind kind, String name, Setting setting, String schema,
      boolean created, boolean schemaCreated, int statement, int line) {

    /** What names it and how, for a message: {@code statement 4 (line 7): table t}. */
    public String where() {
      return "statement " + statement + " (line " + line + "): " + kind.sqlName() + " " + Identifiers.quote(name);
    }

    /** The setting in words, for a message. */
    public String settingInWords() {
      if (setting instanceof Set set) {
        return "the search_path the artifact set at statement " + set.statement() + " (line " + set.line() + ") to "
            + (set.elements().isEmpty() ? "''" : set.written());
      }
      if (setting instanceof Unfollowed u) {
        return "a search_path the artifact changed at statement " + u.statement() + " (line " + u.line() + ") by " + u.how()
            + ", which cutter cannot follow";
      }
      return "the session's search_path";
    }
  }

  /**
   * Whether the session's {@code search_path} setting now, {@code current}, is what {@code expected} says
   * the statements left: the session's own ({@code atBegin}, as BEGIN read it) or the elements the
   * artifact set, compared as the server splits them; always true after a change cutter cannot follow.
   */
  public static boolean holds(Setting expected, String atBegin, String current) {
    if (expected instanceof Unfollowed) {
      return true;
    }
    if (expected instanceof Set set) {
      return named(elements(current)).equals(named(set.elements()));
    }
    return current.equals(atBegin);
  }

  private static List<String> named(List<String> elements) {
    return elements.stream().filter(e -> !e.isEmpty()).toList();
  }

  /** The setting after statement {@code s}, given the one before it (a statement that names none leaves it). */
  public static Setting next(Setting before, dev.cutter.core.exec.ExecStatement s) {
    return mayChange(before, s.text()) ? after(before, SqlTokens.of(s.text()), s.index(), s.line()) : before;
  }

  /**
   * {@code name} as the analysis names it under {@code setting}: an unqualified name in the first schema a
   * setting of the artifact's own lists; else as written.
   */
  public static dev.cutter.core.catalog.ObjectName named(Setting setting, dev.cutter.core.catalog.ObjectName name) {
    if (name != null && !name.qualified() && setting instanceof Set set && set.first() != null) {
      return name.in(set.first());
    }
    return name;
  }

  /**
   * Whether {@code text} may change the search_path from {@code before} at all (most statements: no tokens
   * read): only a statement naming it sets one; RESET and ROLLBACK TO matter once one is set.
   */
  static boolean mayChange(Setting before, String text) {
    return containsIgnoringCase(text, "search_path") || (!(before instanceof SessionDefault)
        && (containsIgnoringCase(text, "reset") || containsIgnoringCase(text, "rollback")));
  }

  /**
   * The setting after statement {@code statement} (its first line {@code line}, tokens {@code t}),
   * given the one before it.
   */
  static Setting after(Setting before, List<Token> t, int statement, int line) {
    if (t.isEmpty()) {
      return before;
    }
    Token head = t.get(0);
    if (head.is("set")) {
      int i = 1;
      boolean local = false;
      if (i < t.size() && (t.get(i).is("session") || t.get(i).is("local"))) {
        local = t.get(i).is("local");
        i++;
      }
      if (i < t.size() && isSearchPath(t.get(i))) {
        return set(t, i + 1, local, statement, line);
      }
      return before;
    }
    if (head.is("reset")) {
      return t.size() > 1 && (t.get(1).is("all") || isSearchPath(t.get(1))) ? SESSION : before;
    }
    if (head.is("rollback")) {
      // ROLLBACK TO SAVEPOINT undoes a SET made since the savepoint: which one is in effect then is not followed
      boolean toSavepoint = t.size() > 1 && (t.get(1).is("to") || (t.get(1).is("work") || t.get(1).is("transaction"))
          && t.size() > 2 && t.get(2).is("to"));
      return toSavepoint && !(before instanceof SessionDefault) ? new Unfollowed(statement, line, "ROLLBACK TO SAVEPOINT") : before;
    }
    if (head.is("alter") || head.is("create") || head.is("comment")) {
      return before; // ALTER ROLE/DATABASE/FUNCTION … SET search_path, a routine's SET clause: not this session's
    }
    if (!mentionsSearchPath(t)) {
      return before;
    }
    Setting config = setConfig(t, statement, line);
    return config != null ? config
        : new Unfollowed(statement, line, head.isName() ? head.text().toUpperCase(java.util.Locale.ROOT) + " naming search_path" : "a statement naming search_path");
  }

  private static boolean isSearchPath(Token t) {
    return (t.kind() == Kind.WORD || t.kind() == Kind.QUOTED) && t.text().equals("search_path");
  }

  private static boolean mentionsSearchPath(List<Token> t) {
    for (Token k : t) {
      if (containsIgnoringCase(k.text(), "search_path")) {
        return true;
      }
    }
    return false;
  }

  /** {@code SET … search_path} from after the name: {@code TO | =}, then DEFAULT or a list of names and strings. */
  private static Setting set(List<Token> t, int i, boolean local, int statement, int line) {
    if (i < t.size() && (t.get(i).is("to") || t.get(i).isPunct('='))) {
      i++;
    } else {
      return new Unfollowed(statement, line, "SET search_path " + (i < t.size() ? t.get(i).text().toUpperCase(java.util.Locale.ROOT) : ""));
    }
    if (i < t.size() && t.get(i).is("default") && i + 1 == t.size()) {
      return SESSION;
    }
    List<String> elements = new ArrayList<>();
    boolean expectName = true;
    for (; i < t.size(); i++) {
      Token k = t.get(i);
      if (expectName && (k.kind() == Kind.WORD || k.kind() == Kind.QUOTED || k.kind() == Kind.STRING)) {
        // a string is one schema's name as written (the server quotes it as an identifier), a word folds
        elements.add(Identifiers.truncate(k.text()));
        expectName = false;
      } else if (!expectName && k.isPunct(',')) {
        expectName = true;
      } else {
        return new Unfollowed(statement, line, "SET search_path to a value cutter does not read");
      }
    }
    if (expectName && !elements.isEmpty()) {
      return new Unfollowed(statement, line, "SET search_path to a value cutter does not read");
    }
    return new Set(elements, local, statement, line);
  }

  /**
   * {@code SELECT [pg_catalog.]set_config('search_path', '<value>', true | false)} and nothing else; null
   * for any other statement.
   */
  private static Setting setConfig(List<Token> t, int statement, int line) {
    int i = 0;
    if (!t.get(i++).is("select")) {
      return null;
    }
    if (i + 1 < t.size() && t.get(i).is("pg_catalog") && t.get(i + 1).isPunct('.')) {
      i += 2;
    }
    if (t.size() != i + 8 || !t.get(i).is("set_config") || !t.get(i + 1).isPunct('(')
        || t.get(i + 2).kind() != Kind.STRING || !t.get(i + 2).text().equals("search_path") || !t.get(i + 3).isPunct(',')
        || t.get(i + 4).kind() != Kind.STRING || !t.get(i + 5).isPunct(',')
        || !(t.get(i + 6).is("true") || t.get(i + 6).is("false")) || !t.get(i + 7).isPunct(')')) {
      return null;
    }
    return new Set(elements(t.get(i + 4).text()), t.get(i + 6).is("true"), statement, line);
  }

  /** A search_path value as the server splits it, each name truncated as the server stores it. */
  static List<String> elements(String value) {
    return dev.cutter.core.catalog.SearchPath.elements(value).stream().map(Identifiers::truncate).toList();
  }

  /** Whether {@code lower} (lower-case ASCII letters and {@code _}) occurs in {@code text}, case ignored: one pass. */
  static boolean containsIgnoringCase(String text, String lower) {
    char first = lower.charAt(0);
    for (int i = 0, last = text.length() - lower.length(); i <= last; i++) {
      if ((text.charAt(i) | 0x20) == first && text.regionMatches(true, i, lower, 0, lower.length())) {
        return true;
      }
    }
    return false;
  }
}
