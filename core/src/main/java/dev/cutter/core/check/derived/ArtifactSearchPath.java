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
   * one; {@code schemaCreated}: the artifact creates that schema before this statement; {@code action}:
   * what the statement does to it; {@code takenAway}: how an earlier statement of the artifact dropped
   * it, moved it or renamed it out of that schema, or dropped the schema (and nothing created it there
   * again since), null otherwise; {@code role}: the role the artifact switched to by name ({@code SET ROLE r})
   * before the statement, whose USAGE the server checks as it searches the path; null for apply_role;
   * {@code afterCascade}: where an earlier statement dropped with CASCADE or DROP OWNED, which drops what
   * depends on it anywhere (null if none, or if the artifact created the name since).
   */
  public record PathName(dev.cutter.core.catalog.ObjectKind kind, String name, Setting setting, String schema,
      boolean created, boolean schemaCreated, int statement, int line, Touch.Action action, String takenAway,
      String role, String afterCascade) {

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
   * Whether {@code text} may change the search_path, or the role the names are resolved for, or drop
   * the temporary relations (most statements: no tokens read). {@code SET SCHEMA}, a {@code
   * set_config} whose name is computed, an update of {@code pg_settings}, a name written with
   * Unicode escapes ({@code U&"search\005fpath"}) never spell search_path.
   */
  static boolean mayChange(String text) {
    // one pass over the text, every word looked for where its first letter is (10,000 statements: one pass each)
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = (char) (text.charAt(i) | 0x20);
      if (c == 's' || c == 'r' || c == 'p' || c == 'd' || c == 'u' || c == 'a') {
        for (String word : MAY_CHANGE) {
          if (word.charAt(0) == c && text.regionMatches(true, i, word, 0, word.length())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * Whether statement {@code text} gives the search_path a setting of its own, whatever the one before it: a
   * SET, RESET, DISCARD ALL, a set_config cutter reads or not, a ROLLBACK TO SAVEPOINT (not CREATE SCHEMA, nor
   * a GRANT that names a role). Such a statement would hide a setting a function made unseen before it (R58).
   */
  static boolean assigns(String text) {
    return mayChange(text) && after(BEFORE, text, 0, 0) != BEFORE;
  }

  /**
   * Whether statement {@code text} only gives the search_path a lasting setting of its own ({@code SET [SESSION]
   * search_path …}, {@code SET SCHEMA}, {@code RESET search_path}, {@code RESET ALL}): it resolves no name, so in
   * autocommit mode a setting a function made before it is never used and need not be compared before it (R61).
   * Not {@code SET LOCAL}, which lasts only its own statement there, nor a {@code set_config}, which a query runs.
   */
  public static boolean setsPathOnly(String text) {
    if (!mayChange(text)) {
      return false;
    }
    List<Token> t = tokens(text);
    if (t.isEmpty() || !(t.get(0).is("set") || t.get(0).is("reset")) || t.size() > 1 && t.get(1).is("local")) {
      return false;
    }
    Setting s = after(BEFORE, t, escaped(text), unicodeEscaped(text), 0, 0);
    return s instanceof SessionDefault || s instanceof Set set && !set.local();
  }

  /**
   * Whether statement {@code text} only switches the role for the session ({@code SET [SESSION] ROLE …}, {@code RESET
   * ROLE}, {@code SET SESSION AUTHORIZATION …} and its RESET): it resolves no name, so in autocommit mode a role a
   * function switched to before it is never used to resolve one and need not be compared before it (R61).
   */
  public static boolean setsRoleOnly(String text) {
    if (!mayChange(text)) {
      return false;
    }
    List<Token> t = tokens(text);
    return !t.isEmpty() && (t.get(0).is("set") || t.get(0).is("reset")) && !(t.size() > 1 && t.get(1).is("local"))
        && switchesRole(text) != null;
  }

  /** A setting no statement leaves: what {@link #assigns} compares with. */
  private static final Setting BEFORE = new Unfollowed(0, 0, "");

  private static final List<String> MAY_CHANGE = List.of("search_path", "reset", "rollback", "schema", "set_config",
      "pg_settings", "discard", "u&", "role", "authorization");

  /**
   * Whether a string of {@code text} may hold escapes this lexer does not decode ({@code E'\x61'},
   * {@code U&'\0061'}): the server reads such a name otherwise than {@link SqlTokens} gives it.
   */
  static boolean escaped(String text) {
    return text.indexOf('\\') >= 0 || unicodeEscaped(text);
  }

  /** Whether a quoted name of {@code text} may be written with Unicode escapes ({@code U&"…"}). */
  private static boolean unicodeEscaped(String text) {
    return containsIgnoringCase(text, "u&");
  }

  /**
   * The setting after statement {@code s}, given the one before it, as far as its own text tells (the
   * lock-hazard lint's reading; {@code SearchPathFollower} follows prepared statements and role switches too).
   */
  public static Setting next(Setting before, dev.cutter.core.exec.ExecStatement s) {
    return mayChange(s.text()) ? after(before, s.text(), s.index(), s.line()) : before;
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
    // as the server splits it: set_config keeps the value as written ('"$user",public'), SET writes its own
    return current.equals(atBegin) || named(elements(current)).equals(named(elements(atBegin)));
  }

  private static List<String> named(List<String> elements) {
    return elements.stream().filter(e -> !e.isEmpty()).toList();
  }

  /** The setting after statement {@code statement} (its first line {@code line}, text {@code text}), given the one before it. */
  static Setting after(Setting before, String text, int statement, int line) {
    return after(before, tokens(text), escaped(text), unicodeEscaped(text), statement, line);
  }

  /** The tokens of a statement as the splitter gives it, without the semicolons that end it. */
  private static List<Token> tokens(String text) {
    List<Token> t = SqlTokens.of(text);
    int end = t.size();
    while (end > 0 && t.get(end - 1).isPunct(';')) {
      end--;
    }
    return t.subList(0, end);
  }

  private static Setting after(Setting before, List<Token> t, boolean escaped, boolean unicode, int statement, int line) {
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
      if (i < t.size() && t.get(i).is("schema")) {
        // SET SCHEMA 'value' is SET search_path TO 'value' (one schema)
        return t.size() == i + 2 && t.get(i + 1).kind() == Kind.STRING && !escaped
            ? new Set(List.of(Identifiers.truncate(t.get(i + 1).text())), local, statement, line)
            : new Unfollowed(statement, line, "SET SCHEMA to a value cutter does not read");
      }
      if (i < t.size() && isSearchPath(t.get(i))) {
        return t.get(i).kind() == Kind.QUOTED && unicode ? new Unfollowed(statement, line, "SET of a name written with escapes")
            : set(t, i + 1, local, escaped, statement, line);
      }
      if (i < t.size() && t.get(i).kind() == Kind.QUOTED && unicode) {
        return new Unfollowed(statement, line, "SET of a name written with escapes");
      }
      return before;
    }
    if (head.is("reset")) {
      if (t.size() > 1 && t.get(1).kind() == Kind.QUOTED && unicode) {
        return new Unfollowed(statement, line, "RESET of a name written with escapes");
      }
      return t.size() > 1 && (t.get(1).is("all") || isSearchPath(t.get(1))) ? SESSION : before;
    }
    if (head.is("discard")) {
      return t.size() > 1 && t.get(1).is("all") ? SESSION : before; // DISCARD ALL runs RESET ALL
    }
    if (head.is("rollback")) {
      // ROLLBACK TO SAVEPOINT undoes a SET made since the savepoint: which one is in effect then is not followed
      boolean toSavepoint = t.size() > 1 && (t.get(1).is("to") || (t.get(1).is("work") || t.get(1).is("transaction"))
          && t.size() > 2 && t.get(2).is("to"));
      return toSavepoint && !(before instanceof SessionDefault) ? new Unfollowed(statement, line, "ROLLBACK TO SAVEPOINT") : before;
    }
    boolean config = mentions(t, "set_config");
    if (head.is("alter") || head.is("create") || head.is("comment")) {
      // ALTER ROLE/DATABASE/FUNCTION … SET search_path, a routine's SET clause or body: not this session's; but
      // CREATE TABLE … AS SELECT set_config(…) or a volatile column DEFAULT set_config(…) ALTER TABLE evaluates runs it
      return config && !definesRoutine(t) && !otherSettingsOnly(t, escaped) ? new Unfollowed(statement, line, head.text().toUpperCase(java.util.Locale.ROOT)
          + " running set_config") : before;
    }
    boolean settings = mentions(t, "pg_settings") && !head.is("select");
    if (!mentionsSearchPath(t) && !config && !settings) {
      return before;
    }
    if (!settings && config && otherSettingsOnly(t, escaped)) {
      return before; // set_config('app.tenant', …): a plain name of another setting
    }
    Setting exact = settings ? null : setConfig(t, escaped, statement, line);
    return exact != null ? exact
        : new Unfollowed(statement, line, head.isName() ? head.text().toUpperCase(java.util.Locale.ROOT) + " naming search_path"
            + (config || settings ? " or setting a setting cutter cannot name" : "") : "a statement naming search_path");
  }

  /**
   * How statement {@code text} switches the role later statements run as (and whose USAGE the server
   * checks as it searches a path), or null: {@code SET [SESSION | LOCAL] ROLE}, {@code SET SESSION
   * AUTHORIZATION}, their RESETs, {@code DISCARD ALL}, and a {@code set_config} or {@code pg_settings}
   * update of {@code role}, {@code session_authorization} or of a name cutter cannot read.
   */
  static String switchesRole(String text) {
    List<Token> t = tokens(text);
    if (t.isEmpty()) {
      return null;
    }
    Token head = t.get(0);
    int i = 1;
    if ((head.is("set") || head.is("reset")) && i < t.size() && (t.get(i).is("session") || t.get(i).is("local"))) {
      i++;
    }
    if ((head.is("set") || head.is("reset")) && i < t.size() && (isNamed(t.get(i), "role") || isNamed(t.get(i), "authorization")
        || isNamed(t.get(i), "session_authorization") || t.get(i).kind() == Kind.QUOTED && unicodeEscaped(text))) {
      return head.text().toUpperCase(java.util.Locale.ROOT) + " " + t.get(i).text().toUpperCase(java.util.Locale.ROOT);
    }
    if (head.is("discard") && t.size() > 1 && t.get(1).is("all")) {
      return "DISCARD ALL";
    }
    if ((head.is("alter") || head.is("create") || head.is("comment")) && definesRoutine(t)) {
      return null;
    }
    if (mentions(t, "pg_settings") && !head.is("select") && !head.is("alter") && !head.is("create") && !head.is("comment")) {
      return "an update of pg_settings";
    }
    List<String> names = setConfigNames(t, escaped(text));
    if (names == null || names.stream().anyMatch(n -> n.equalsIgnoreCase("role") || n.equalsIgnoreCase("session_authorization"))) {
      return "set_config";
    }
    return null;
  }

  /**
   * The role the statements run as after statement {@code text}, given {@code before}: the one a plain {@code SET
   * [SESSION] ROLE r} names; unknown after any other switch of the role ({@link #switchesRole}) and after any
   * statement that names a role otherwise.
   */
  static ExpectedRole roleAfter(ExpectedRole before, String text) {
    if (!mayChange(text)) {
      return before;
    }
    if (switchesRole(text) != null) {
      String to = roleSwitchedTo(text);
      return to == null ? ExpectedRole.UNKNOWN : new ExpectedRole.Named(to);
    }
    // a DO block or a body that names a role (EXECUTE 'reset role', which a privileged login the trust policy
    // allows may run): which role follows the text cannot tell. Not a statement that only holds the word (a
    // comment's text, a column named role): it switches nothing, and the comparisons after it go on (R63)
    return (containsIgnoringCase(text, "role") || containsIgnoringCase(text, "authorization")) && mayRunText(text)
        ? ExpectedRole.UNKNOWN : before;
  }

  /** A {@code DO} block or a {@code CALL}, or a statement that may {@code EXECUTE} text it holds. */
  private static boolean mayRunText(String text) {
    List<Token> t = tokens(text);
    return !t.isEmpty() && (t.get(0).is("do") || t.get(0).is("call")) || containsIgnoringCase(text, "execute");
  }

  /**
   * The role {@code SET [SESSION] ROLE r} or {@code SET SESSION AUTHORIZATION r} switches to, named plainly
   * (folded as the server folds it); null for any other statement, {@code NONE}, {@code DEFAULT}, {@code SET LOCAL}
   * (which lasts one statement in autocommit mode) and a name written with escapes.
   */
  static String roleSwitchedTo(String text) {
    List<Token> t = tokens(text);
    if (t.isEmpty() || !t.get(0).is("set") || escaped(text)) {
      return null;
    }
    int i = 1;
    if (i < t.size() && t.get(i).is("session")) {
      i++;
    }
    if (i + 2 != t.size() || !(t.get(i).is("role") || t.get(i).is("authorization"))) {
      return null;
    }
    Token r = t.get(i + 1);
    if (r.kind() == Kind.WORD && !r.is("none") && !r.is("default")) {
      return r.text();
    }
    return r.kind() == Kind.QUOTED || r.kind() == Kind.STRING ? r.text() : null;
  }

  private static boolean isSearchPath(Token t) {
    return isNamed(t, "search_path");
  }

  /** A word, or a quoted name the server looks up ignoring case as it does a setting's ({@code "SEARCH_PATH"}). */
  private static boolean isNamed(Token t, String setting) {
    return t.kind() == Kind.WORD && t.text().equals(setting) || t.kind() == Kind.QUOTED && t.text().equalsIgnoreCase(setting);
  }

  private static boolean mentions(List<Token> t, String word) {
    for (Token k : t) {
      if (k.is(word)) {
        return true;
      }
    }
    return false;
  }

  /** {@code CREATE [OR REPLACE] FUNCTION | PROCEDURE | VIEW …}: what it names runs later, not here. */
  private static boolean definesRoutine(List<Token> t) {
    int i = 1;
    if (i + 1 < t.size() && t.get(i).is("or") && t.get(i + 1).is("replace")) {
      i += 2;
    }
    return i < t.size() && t.get(0).is("create") && (t.get(i).is("function") || t.get(i).is("procedure") || t.get(i).is("view"));
  }

  /** Whether every {@code set_config} of {@code t} is called with a plain string naming a setting other than search_path. */
  private static boolean otherSettingsOnly(List<Token> t, boolean escaped) {
    List<String> names = setConfigNames(t, escaped);
    return names != null && names.stream().noneMatch(n -> n.equalsIgnoreCase("search_path"));
  }

  /**
   * The settings each {@code set_config} of {@code t} names, in order; null when one is named otherwise
   * than by a plain string (computed, cast, named notation, escapes) or the name is not called.
   */
  private static List<String> setConfigNames(List<Token> t, boolean escaped) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      if (!t.get(i).is("set_config")) {
        continue;
      }
      if (escaped || i + 3 >= t.size() || !t.get(i + 1).isPunct('(') || t.get(i + 2).kind() != Kind.STRING
          || !t.get(i + 3).isPunct(',')) {
        return null;
      }
      out.add(t.get(i + 2).text());
    }
    return out;
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
  private static Setting set(List<Token> t, int i, boolean local, boolean escaped, int statement, int line) {
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
      if (expectName && k.kind() != Kind.WORD && escaped) {
        return new Unfollowed(statement, line, "SET search_path to a name written with escapes");
      } else if (expectName && (k.kind() == Kind.WORD || k.kind() == Kind.QUOTED || k.kind() == Kind.STRING)) {
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
  private static Setting setConfig(List<Token> t, boolean escaped, int statement, int line) {
    if (escaped) {
      return null;
    }
    int i = 0;
    if (!t.get(i++).is("select")) {
      return null;
    }
    if (i + 1 < t.size() && t.get(i).is("pg_catalog") && t.get(i + 1).isPunct('.')) {
      i += 2;
    }
    if (t.size() != i + 8 || !t.get(i).is("set_config") || !t.get(i + 1).isPunct('(')
        || t.get(i + 2).kind() != Kind.STRING || !t.get(i + 2).text().equalsIgnoreCase("search_path") || !t.get(i + 3).isPunct(',')
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

  static boolean containsIgnoringCase(String text, String lower) {
    char first = lower.charAt(0); // a letter: | 0x20 folds its upper case
    for (int i = 0, last = text.length() - lower.length(); i <= last; i++) {
      if ((text.charAt(i) | 0x20) == first && text.regionMatches(true, i, lower, 0, lower.length())) {
        return true;
      }
    }
    return false;
  }
}
