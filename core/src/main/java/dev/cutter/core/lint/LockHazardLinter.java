package dev.cutter.core.lint;

import dev.cutter.core.catalog.ObjectName;
import dev.cutter.core.check.derived.SqlTokens;
import dev.cutter.core.check.derived.SqlTokens.Kind;
import dev.cutter.core.check.derived.SqlTokens.Token;
import dev.cutter.core.exec.ExecStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the lock hazards of a script, statement by statement, from its tokens and the catalog as
 * it is before the change. A table counts as existing when the catalog has it and the script did
 * not create it earlier; statements on tables the script created are not hazards (nobody else
 * can see them until COMMIT). Findings come back in script order, not yet judged by a policy.
 */
public final class LockHazardLinter {

  private static final Map<String, String> LOCK_MODES = Map.of(
      "access share", "AccessShareLock",
      "row share", "RowShareLock",
      "row exclusive", "RowExclusiveLock",
      "share update exclusive", "ShareUpdateExclusiveLock",
      "share", "ShareLock",
      "share row exclusive", "ShareRowExclusiveLock",
      "exclusive", "ExclusiveLock",
      "access exclusive", "AccessExclusiveLock");

  private static final Set<String> SERIAL_TYPES = Set.of("smallserial", "serial", "bigserial", "serial2", "serial4", "serial8");
  /** Words that end a column's DEFAULT expression at depth 0. */
  private static final Set<String> COLUMN_CONSTRAINT_WORDS =
      Set.of("not", "null", "constraint", "check", "references", "primary", "unique", "generated", "collate");
  private static final Pattern SETTING = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(us|ms|s|min|h|d)?\\s*");

  private final String file;
  private final LintCatalog catalog;
  private final Set<ObjectName> created = new HashSet<>();
  private final List<LintFinding> out = new ArrayList<>();
  /** The search_path the artifact set itself, if any: an unqualified table is the one in its first schema (R47). */
  private dev.cutter.core.check.derived.ArtifactSearchPath.Setting path = dev.cutter.core.check.derived.ArtifactSearchPath.SESSION;

  private LockHazardLinter(String file, LintCatalog catalog) {
    this.file = file;
    this.catalog = catalog;
  }

  /** The findings of {@code statements} (from the artifact {@code file}, as its path is written in the package). */
  public static List<LintFinding> lint(String file, List<ExecStatement> statements, LintCatalog catalog) {
    LockHazardLinter l = new LockHazardLinter(file, catalog);
    for (ExecStatement s : statements) {
      l.statement(s);
      l.path = dev.cutter.core.check.derived.ArtifactSearchPath.next(l.path, s);
    }
    return List.copyOf(l.out);
  }

  /**
   * The finding for the package's {@code apply.lock_timeout}, if it is off or over a minute;
   * {@code line} is where package.yaml sets it (0 when it does not: the default is short).
   */
  public static Optional<LintFinding> applyLockTimeout(String packageFile, int line, Duration lockTimeout) {
    return lockTimeout(lockTimeout.toMillis(), packageFile, line, 0, "apply.lock_timeout");
  }

  private static Optional<LintFinding> lockTimeout(long ms, String file, int line, int index, String what) {
    if (ms == 0) {
      return Optional.of(LintFinding.of(LintRule.LOCK_TIMEOUT_OFF, file, line, index, what, what + " is 0 (no timeout)", null));
    }
    if (ms > LintRule.MAX_LOCK_TIMEOUT_MS) {
      return Optional.of(LintFinding.of(LintRule.LOCK_TIMEOUT_LONG, file, line, index, what, what + " is " + ms + "ms", null));
    }
    return Optional.empty();
  }

  private void statement(ExecStatement s) {
    List<Token> t = SqlTokens.withNumbers(s.text());
    if (t.isEmpty()) {
      return;
    }
    Cursor c = new Cursor(t, s);
    if (c.accept("create")) {
      create(c);
    } else if (c.accept("alter")) {
      if (c.accept("table")) {
        alterTable(c);
      }
    } else if (c.accept("drop")) {
      if (c.accept("table")) {
        c.ifExists();
        do {
          int line = c.line();
          tableIfExisting(c).ifPresent(tb -> add(LintRule.DROP_TABLE, line, c, tb, "drops " + tb, null));
        } while (c.acceptPunct(','));
      }
    } else if (c.accept("truncate")) {
      c.accept("table");
      do {
        c.accept("only");
        int line = c.line();
        tableIfExisting(c).ifPresent(tb -> add(LintRule.TRUNCATE, line, c, tb, "empties " + tb, null));
        c.acceptPunct('*');
      } while (c.acceptPunct(','));
    } else if (c.accept("delete")) {
      if (c.accept("from")) {
        c.accept("only");
        Optional<ObjectName> tb = tableIfExisting(c);
        if (tb.isPresent() && !c.restHasWordAtDepth0("where")) {
          add(LintRule.DELETE_WITHOUT_WHERE, c.first(), c, tb.get(), "deletes every row of " + tb.get(), null);
        }
      }
    } else if (c.accept("update")) {
      c.accept("only");
      Optional<ObjectName> tb = tableIfExisting(c);
      if (tb.isPresent() && !c.restHasWordAtDepth0("where")) {
        add(LintRule.UPDATE_WITHOUT_WHERE, c.first(), c, tb.get(), "updates every row of " + tb.get(), null);
      }
    } else if (c.accept("vacuum")) {
      if (c.restHasWord("full")) {
        add(LintRule.VACUUM_FULL, c.first(), c, null, "VACUUM FULL", null);
      }
    } else if (c.accept("cluster")) {
      add(LintRule.CLUSTER, c.first(), c, null, "CLUSTER", null);
    } else if (c.accept("reindex")) {
      if (!c.restHasWord("concurrently")) {
        add(LintRule.REINDEX_NOT_CONCURRENT, c.first(), c, null, "REINDEX without CONCURRENTLY", null);
      }
    } else if (c.accept("lock")) {
      lockTable(c);
    } else if (c.accept("set")) {
      setLockTimeout(c);
    }
  }

  private void create(Cursor c) {
    if (c.accept("or")) {
      c.accept("replace");
    }
    boolean unique = c.accept("unique");
    if (c.accept("index")) {
      boolean concurrently = c.accept("concurrently");
      c.ifNotExists();
      if (!c.peekIs("on")) {
        c.name();
      }
      if (c.accept("on")) {
        c.accept("only");
        Optional<ObjectName> tb = tableIfExisting(c);
        if (tb.isPresent() && !concurrently) {
          add(LintRule.INDEX_NOT_CONCURRENT, c.first(), c, tb.get(),
              "CREATE " + (unique ? "UNIQUE " : "") + "INDEX on " + tb.get() + " without CONCURRENTLY", null);
        }
      }
      return;
    }
    while (c.acceptAny("temp", "temporary", "unlogged", "global", "local")) {
      // modifiers
    }
    if (c.accept("table")) {
      boolean ifNotExists = c.peekIs("if");
      c.ifNotExists();
      ObjectName n = dev.cutter.core.check.derived.ArtifactSearchPath.named(path, c.name());
      // CREATE TABLE IF NOT EXISTS of a table that is there creates nothing: the old table stays the one changed
      if (n != null && !(ifNotExists && catalog.live() && catalog.table(n).isPresent())) {
        created.add(normalize(n));
      }
    }
  }

  private void alterTable(Cursor c) {
    c.ifExists();
    c.accept("only");
    Optional<ObjectName> tb = tableIfExisting(c);
    c.acceptPunct('*');
    if (tb.isEmpty()) {
      return;
    }
    ObjectName table = tb.get();
    for (Cursor action : c.actions()) {
      alterAction(action, table);
    }
  }

  private void alterAction(Cursor a, ObjectName table) {
    int line = a.line();
    if (a.accept("rename")) {
      if (a.accept("to")) {
        add(LintRule.RENAME_TABLE, line, a, table, "renames " + table, null);
      } else if (!a.peekIs("constraint")) {
        a.accept("column");
        String col = a.word();
        add(LintRule.RENAME_COLUMN, line, a, table, "renames column " + col + " of " + table, null);
      }
    } else if (a.accept("add")) {
      if (a.peekIs("constraint") || a.peekIs("foreign") || a.peekIs("check") || a.peekIs("primary")
          || a.peekIs("unique")) {
        addConstraint(a, table, line);
      } else if (!a.peekIs("exclude")) {
        addColumn(a, table, line);
      }
    } else if (a.accept("alter")) {
      a.accept("column");
      String col = a.word();
      if (col == null) {
        return;
      }
      if (a.peekIs("set") && a.peekIs(1, "data") && a.peekIs(2, "type")) {
        a.accept("set");
        a.accept("data");
      }
      if (a.accept("type")) {
        typeChange(a, table, col, line);
      } else if (a.peekIs("set") && a.peekIs(1, "not") && a.peekIs(2, "null")) {
        setNotNull(table, col, line, a);
      }
    } else if (a.accept("drop")) {
      if (!a.peekIs("constraint")) {
        a.accept("column");
        a.ifExists();
        String col = a.word();
        add(LintRule.DROP_COLUMN, line, a, table, "drops column " + col + " of " + table, null);
      }
    }
  }

  private void addConstraint(Cursor a, ObjectName table, int line) {
    if (a.accept("constraint")) {
      a.word();
    }
    boolean notValid = a.restHasWordPair("not", "valid");
    if ((a.peekIs("unique") || a.peekIs("primary")) && !a.restHasWordPair("using", "index")) {
      add(LintRule.INDEX_NOT_CONCURRENT, line, a, table, "ADD " + (a.peekIs("unique") ? "UNIQUE" : "PRIMARY KEY")
          + " on " + table + " builds its index in place", "AccessExclusiveLock");
    } else if (a.peekIs("foreign") && !notValid) {
      add(LintRule.FOREIGN_KEY_NOT_VALID, line, a, table, "ADD FOREIGN KEY on " + table + " without NOT VALID", null);
    } else if (a.peekIs("check") && !notValid) {
      add(LintRule.CHECK_NOT_VALID, line, a, table, "ADD CHECK on " + table + " without NOT VALID", null);
    }
  }

  private void addColumn(Cursor a, ObjectName table, int line) {
    a.accept("column");
    a.ifNotExists();
    String col = a.word();
    if (col == null) {
      return;
    }
    String type = a.peekWord();
    if (type != null && SERIAL_TYPES.contains(type)) {
      add(LintRule.ADD_COLUMN_VOLATILE_DEFAULT, line, a, table, "column " + col + " " + type + " draws nextval() for every row", null);
      return;
    }
    while (a.more()) {
      if (a.depth0() && a.peekIs("generated")) {
        boolean stored = a.restHasWord("stored");
        boolean identity = a.restHasWord("identity");
        if (stored || identity) {
          add(LintRule.ADD_COLUMN_VOLATILE_DEFAULT, line, a, table, "column " + col + (identity ? " GENERATED … AS IDENTITY"
              : " GENERATED … STORED") + " fills every row", null);
        }
        return;
      }
      if (a.depth0() && a.accept("default")) {
        volatileDefault(a, table, col, line);
        return;
      }
      a.next();
    }
  }

  /** The functions a DEFAULT expression calls, up to the next column constraint: any volatile one is a finding. */
  private void volatileDefault(Cursor a, ObjectName table, String col, int line) {
    int depth = 0;
    while (a.more()) {
      Token x = a.peekToken();
      if (depth == 0 && x.kind() == Kind.WORD && COLUMN_CONSTRAINT_WORDS.contains(x.text())) {
        return;
      }
      if (x.isPunct('(')) {
        depth++;
      } else if (x.isPunct(')')) {
        depth--;
      }
      if (x.isName()) {
        ObjectName fn = a.functionCall();
        if (fn != null) {
          Optional<Boolean> v = catalog.volatileFunction(fn);
          if (v.orElse(false)) {
            add(LintRule.ADD_COLUMN_VOLATILE_DEFAULT, line, a, table, "column " + col + " DEFAULT calls " + fn.name()
                + "(), which is volatile" + (catalog.live() ? " (pg_proc.provolatile = 'v')" : ""), null);
            return;
          }
          continue;
        }
      }
      a.next();
    }
  }

  private void typeChange(Cursor a, ObjectName table, String col, int line) {
    StringBuilder typeText = new StringBuilder();
    List<Integer> mods = new ArrayList<>();
    boolean prevWordLike = false;
    int depth = 0;
    while (a.more() && !(depth == 0 && (a.peekIs("using") || a.peekIs("collate")))) {
      Token x = a.next();
      if (x.isPunct('(')) {
        depth++;
      } else if (x.isPunct(')')) {
        depth--;
      } else if (depth > 0 && x.kind() == Kind.NUMBER) {
        mods.add(parseInt(x.text()));
      }
      boolean wordLike = x.kind() != Kind.PUNCT;
      if (typeText.length() > 0 && wordLike && (prevWordLike || typeText.charAt(typeText.length() - 1) == ')')) {
        typeText.append(' ');
      }
      prevWordLike = wordLike;
      typeText.append(x.kind() == Kind.QUOTED ? '"' + x.text().replace("\"", "\"\"") + '"' : x.text());
    }
    boolean using = a.accept("using");
    Optional<LintCatalog.Column> old = catalog.column(table, col);
    Optional<LintCatalog.TypeRef> neu = catalog.type(typeText.toString());
    String what = "column " + col + " of " + table + " to " + typeText;
    if (old.isEmpty() || neu.isEmpty()) {
      if (catalog.live() && neu.isEmpty()) {
        return; // no such type: the statement fails before it rewrites anything
      }
      add(LintRule.TYPE_CHANGE_REWRITE, line, a, table, what + ": cannot tell from the catalog whether it rewrites;"
          + " assumed it does", null);
      return;
    }
    int newMod = TypeChange.typmod(neu.get().name(), mods);
    if (TypeChange.rewrites(old.get(), neu.get().oid(), neu.get().name(), newMod, using, catalog)) {
      add(LintRule.TYPE_CHANGE_REWRITE, line, a, table, what + " (from " + old.get().typeName()
          + (using ? ", with USING" : "") + ") rewrites the table", null);
    }
  }

  private void setNotNull(ObjectName table, String col, int line, Cursor a) {
    Optional<LintCatalog.Column> column = catalog.column(table, col);
    if (column.isPresent() && column.get().notNull()) {
      return; // already NOT NULL: nothing to scan
    }
    if (catalog.validatedNotNullCheck(table, col)) {
      return;
    }
    add(LintRule.SET_NOT_NULL_UNCHECKED, line, a, table, "SET NOT NULL on column " + col + " of " + table
        + " with no validated CHECK (" + col + " IS NOT NULL)", null);
  }

  private void lockTable(Cursor c) {
    c.accept("table");
    List<ObjectName> tables = new ArrayList<>();
    do {
      c.accept("only");
      tableIfExisting(c).ifPresent(tables::add);
      c.acceptPunct('*');
    } while (c.acceptPunct(','));
    String mode = "AccessExclusiveLock";
    if (c.accept("in")) {
      StringBuilder b = new StringBuilder();
      while (c.more() && !c.peekIs("mode")) {
        b.append(b.length() == 0 ? "" : " ").append(c.next().text());
      }
      mode = LOCK_MODES.getOrDefault(b.toString(), mode);
    }
    for (ObjectName tb : tables) {
      add(LintRule.LOCK_TABLE, c.first(), c, tb, "LOCK TABLE " + tb + " IN " + mode, mode);
    }
  }

  private void setLockTimeout(Cursor c) {
    c.acceptAny("session", "local");
    if (!c.accept("lock_timeout") || !(c.accept("to") || c.acceptPunct('='))) {
      return;
    }
    if (!c.more()) {
      return;
    }
    Token v = c.next();
    Long ms = v.kind() == Kind.NUMBER || v.kind() == Kind.STRING ? millis(v.text()) : null;
    if (ms != null) {
      lockTimeout(ms, file, c.first(), c.index(), "lock_timeout").ifPresent(out::add);
    }
  }

  /** A lock_timeout value in milliseconds: a bare number is milliseconds; null when it cannot be read. */
  static Long millis(String value) {
    Matcher m = SETTING.matcher(value);
    if (!m.matches()) {
      return null;
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    double factor = switch (unit) {
      case "us" -> 0.001;
      case "s" -> 1000;
      case "min" -> 60_000;
      case "h" -> 3_600_000;
      case "d" -> 86_400_000;
      default -> 1;
    };
    return (long) Math.floor(n * factor);
  }

  private static int parseInt(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The table at the cursor, qualified, when it existed before the change; the name is consumed either way. */
  private Optional<ObjectName> tableIfExisting(Cursor c) {
    ObjectName n = dev.cutter.core.check.derived.ArtifactSearchPath.named(path, c.name());
    if (n == null || created.contains(normalize(n))) {
      return Optional.empty();
    }
    Optional<ObjectName> found = catalog.table(n);
    return found.filter(f -> !created.contains(normalize(f)));
  }

  private ObjectName normalize(ObjectName n) {
    if (n.qualified()) {
      return n;
    }
    return catalog.creationSchema().map(s -> new ObjectName(s, n.name())).orElse(n);
  }

  private void add(LintRule rule, int line, Cursor c, ObjectName object, String detail, String lock) {
    out.add(LintFinding.of(rule, file, line, c.index(), object == null ? null : object.toString(), detail,
        lock != null ? lock : rule.lock()));
  }

  /** A position in the tokens of one statement (or of one ALTER TABLE action). */
  private static final class Cursor {
    private final List<Token> t;
    private final ExecStatement s;
    private final int end;
    private int p;
    private int depth;

    Cursor(List<Token> t, ExecStatement s) {
      this(t, s, 0, t.size());
    }

    private Cursor(List<Token> t, ExecStatement s, int from, int end) {
      this.t = t;
      this.s = s;
      this.p = from;
      this.end = end;
    }

    int index() {
      return s.index();
    }

    /** The statement's first line. */
    int first() {
      return s.line();
    }

    /** The line of the token at the cursor. */
    int line() {
      return s.line() + (p < end ? t.get(p).line() : t.get(end - 1).line());
    }

    boolean more() {
      return p < end && !t.get(p).isPunct(';');
    }

    boolean depth0() {
      return depth == 0;
    }

    Token next() {
      Token x = t.get(p++);
      if (x.isPunct('(')) {
        depth++;
      } else if (x.isPunct(')')) {
        depth--;
      }
      return x;
    }

    Token peekToken() {
      return t.get(p);
    }

    String peekWord() {
      return more() && t.get(p).kind() == Kind.WORD ? t.get(p).text() : null;
    }

    boolean peekIs(String w) {
      return more() && t.get(p).is(w);
    }

    boolean peekIs(int ahead, String w) {
      return p + ahead < end && t.get(p + ahead).is(w);
    }

    boolean accept(String w) {
      if (peekIs(w)) {
        p++;
        return true;
      }
      return false;
    }

    boolean acceptAny(String... words) {
      for (String w : words) {
        if (accept(w)) {
          return true;
        }
      }
      return false;
    }

    boolean acceptPunct(char ch) {
      if (more() && t.get(p).isPunct(ch)) {
        next();
        return true;
      }
      return false;
    }

    void ifExists() {
      if (peekIs("if") && peekIs(1, "exists")) {
        p += 2;
      }
    }

    void ifNotExists() {
      if (peekIs("if") && peekIs(1, "not") && peekIs(2, "exists")) {
        p += 3;
      }
    }

    /** A word or quoted identifier at the cursor, consumed; null when none. */
    String word() {
      if (more() && t.get(p).isName()) {
        return t.get(p++).text();
      }
      return null;
    }

    ObjectName name() {
      List<String> parts = new ArrayList<>();
      while (more() && t.get(p).isName()) {
        parts.add(t.get(p++).text());
        if (!(more() && t.get(p).isPunct('.'))) {
          break;
        }
        p++;
      }
      if (parts.isEmpty()) {
        return null;
      }
      int n = parts.size();
      return n == 1 ? ObjectName.unqualified(parts.get(0)) : new ObjectName(parts.get(n - 2), parts.get(n - 1));
    }

    /** {@code f(} or {@code s.f(} at the cursor: the function's name, consumed up to the parenthesis; else null and nothing consumed. */
    ObjectName functionCall() {
      int save = p;
      ObjectName n = name();
      if (n != null && more() && t.get(p).isPunct('(')) {
        return n;
      }
      p = save + 1;
      return null;
    }

    boolean restHasWord(String w) {
      for (int i = p; i < end; i++) {
        if (t.get(i).is(w)) {
          return true;
        }
      }
      return false;
    }

    boolean restHasWordPair(String a, String b) {
      for (int i = p; i + 1 < end; i++) {
        if (t.get(i).is(a) && t.get(i + 1).is(b)) {
          return true;
        }
      }
      return false;
    }

    boolean restHasWordAtDepth0(String w) {
      int d = depth;
      for (int i = p; i < end; i++) {
        Token x = t.get(i);
        if (x.isPunct('(')) {
          d++;
        } else if (x.isPunct(')')) {
          d--;
        } else if (d == 0 && x.is(w)) {
          return true;
        }
      }
      return false;
    }

    /** The rest split at commas of depth 0: one cursor per ALTER TABLE action. */
    List<Cursor> actions() {
      List<Cursor> out = new ArrayList<>();
      int d = 0;
      int start = p;
      for (int i = p; i < end; i++) {
        Token x = t.get(i);
        if (x.isPunct('(')) {
          d++;
        } else if (x.isPunct(')')) {
          d--;
        } else if (d == 0 && (x.isPunct(',') || x.isPunct(';'))) {
          if (i > start) {
            out.add(new Cursor(t, s, start, i));
          }
          start = i + 1;
        }
      }
      if (start < end) {
        out.add(new Cursor(t, s, start, end));
      }
      return out;
    }
  }
}
