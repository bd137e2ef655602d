package dev.cutter.core.online;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.check.derived.SqlTokens;
import dev.cutter.core.check.derived.SqlTokens.Token;
import dev.cutter.core.sql.SplitResult;
import dev.cutter.core.sql.SqlStatement;
import dev.cutter.core.sql.StatementKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The online artifact judged: every statement must be one of the {@link OnlineKind}s, decided
 * from the splitter's statement kind and the statement's tokens (comments and literals never
 * count). Anything else — other SQL, an index build without CONCURRENTLY, transaction control, a
 * psql meta-command, a second statement joined with {@code \;} — is a rejection naming
 * file:line:col, which makes the package invalid.
 */
public record OnlineScript(String sourceName, List<OnlineStatement> statements, List<Diagnostic> rejections) {

  static final String ALLOWED = "CREATE [UNIQUE] INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX … CONCURRENTLY,"
      + " ALTER TABLE … VALIDATE CONSTRAINT, ALTER TYPE … ADD VALUE, ANALYZE";

  public OnlineScript {
    statements = List.copyOf(statements);
    rejections = List.copyOf(rejections);
  }

  public boolean runnable() {
    return rejections.isEmpty();
  }

  /** Splits and judges the online artifact of a package (its bytes as the loader read them, strict UTF-8). */
  public static OnlineScript of(dev.cutter.core.model.ArtifactRef ref) {
    String text = ref.content().utf8().orElseThrow(() -> new dev.cutter.core.InvalidInputException(
        Diagnostic.notUtf8(ref.path())));
    return of(dev.cutter.core.sql.SqlSplitter.split(ref.path(), text));
  }

  /** Judges the split online artifact. */
  public static OnlineScript of(SplitResult split) {
    String file = split.sourceName();
    List<Diagnostic> rejections = new ArrayList<>(split.problems());
    List<OnlineStatement> accepted = new ArrayList<>();
    for (SqlStatement s : split.statements()) {
      if (s.kind() == StatementKind.EMPTY) {
        continue;
      }
      Diagnostic at = new Diagnostic(file, s.startLine(), s.startColumn(), "");
      String problem = problem(s);
      if (problem != null) {
        rejections.add(new Diagnostic(file, at.line(), at.column(), problem));
        continue;
      }
      List<Token> t = SqlTokens.of(s.text());
      String hidden = hiddenSecondStatement(t);
      if (hidden != null) {
        rejections.add(new Diagnostic(file, at.line(), at.column(), hidden));
        continue;
      }
      Parsed p = parse(t);
      if (p.error() != null) {
        rejections.add(new Diagnostic(file, at.line(), at.column(), "online step: `" + s.summary() + "` " + p.error()));
        continue;
      }
      accepted.add(new OnlineStatement(accepted.size() + 1, s.startLine(), s.startColumn(), p.kind(), s.text(),
          s.summary(), Optional.ofNullable(p.build()), Optional.ofNullable(p.owns())));
    }
    if (accepted.isEmpty() && rejections.isEmpty()) {
      rejections.add(new Diagnostic(file, 1, 1, "online step: the artifact holds no statement; remove online: from the"
          + " package or add statements (" + ALLOWED + ")"));
    }
    rejections.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line())
        : Integer.compare(a.column(), b.column()));
    return new OnlineScript(file, accepted, rejections);
  }

  /** What the splitter already knows makes a statement unfit for the online step. */
  private static String problem(SqlStatement s) {
    return switch (s.kind()) {
      case META_COMMAND -> "online step: psql meta-command `" + s.text().strip() + "` cannot run over a database"
          + " connection; only " + ALLOWED + " are accepted";
      case TRANSACTION_CONTROL -> "online step: `" + s.summary() + "` is transaction control; each online statement"
          + " runs in its own autocommit, so the artifact holds none";
      case COPY_FROM_STDIN -> "online step: COPY … FROM STDIN is not accepted; only " + ALLOWED;
      default -> null;
    };
  }

  /** A {@code ;} before the last token: {@code \;} joined another statement into this one. */
  private static String hiddenSecondStatement(List<Token> t) {
    for (int i = 0; i < t.size() - 1; i++) {
      if (t.get(i).isPunct(';')) {
        boolean onlySemicolonsAfter = t.subList(i + 1, t.size()).stream().allMatch(x -> x.isPunct(';'));
        if (!onlySemicolonsAfter) {
          return "online step: a second statement follows `;` inside this one (joined with \\;): each online"
              + " statement must stand alone, to run in its own autocommit under its own timeouts";
        }
      }
    }
    return null;
  }

  /** A statement read: its kind and what it builds, or why it is refused. */
  record Parsed(OnlineKind kind, OnlineStatement.IndexBuild build, OnlineStatement.Owned owns, String error) {
    static Parsed refused(String why) {
      return new Parsed(null, null, null, why);
    }

    static Parsed of(OnlineKind kind, OnlineStatement.IndexBuild build, List<String> owned, boolean type) {
      return new Parsed(kind, build, owned == null || owned.isEmpty() ? null : new OnlineStatement.Owned(owned, type), null);
    }
  }

  /** Reads the tokens of one statement; the trailing {@code ;}s are ignored. */
  static Parsed parse(List<Token> all) {
    int end = all.size();
    while (end > 0 && all.get(end - 1).isPunct(';')) {
      end--;
    }
    Cursor c = new Cursor(all.subList(0, end));
    if (c.take("create")) {
      c.take("unique");
      if (!c.take("index")) {
        return Parsed.refused("is not accepted in the online step; only " + ALLOWED);
      }
      if (!c.take("concurrently")) {
        return Parsed.refused("builds an index without CONCURRENTLY, which blocks writes to the table for the whole"
            + " build; write CREATE INDEX CONCURRENTLY");
      }
      if (c.take("if")) {
        if (!(c.take("not") && c.take("exists"))) {
          return Parsed.refused("expected IF NOT EXISTS");
        }
      }
      if (c.at("on") || !c.name()) {
        return Parsed.refused("names no index: name it (CREATE INDEX CONCURRENTLY name ON …), so that cutter can find"
            + " and drop exactly the INVALID index a failed build leaves");
      }
      String indexName = c.last().text();
      if (!c.take("on")) {
        return Parsed.refused("expected ON table after the index name (an index takes its table's schema; do not"
            + " qualify its name)");
      }
      c.take("only");
      List<String> table = c.qualifiedName();
      if (table.isEmpty()) {
        return Parsed.refused("expected the table after ON");
      }
      return Parsed.of(OnlineKind.CREATE_INDEX, new OnlineStatement.IndexBuild("INDEX", table, indexName), table, false);
    }
    if (c.take("drop")) {
      if (!c.take("index")) {
        return Parsed.refused("is not accepted in the online step; only " + ALLOWED);
      }
      if (!c.take("concurrently")) {
        return Parsed.refused("drops an index without CONCURRENTLY, which blocks every query on its table until it"
            + " gets its lock; write DROP INDEX CONCURRENTLY");
      }
      if (c.take("if") && !c.take("exists")) {
        return Parsed.refused("expected IF EXISTS");
      }
      List<String> index = c.qualifiedName();
      return index.isEmpty() ? Parsed.refused("expected the index to drop")
          : Parsed.of(OnlineKind.DROP_INDEX, null, index, false);
    }
    if (c.take("reindex")) {
      if (c.peekPunct('(')) {
        c.skipParenthesised();
      }
      String scope = c.atWord("index") || c.atWord("table") || c.atWord("schema") || c.atWord("database")
          ? c.next().text().toUpperCase(java.util.Locale.ROOT) : null;
      if (scope == null) {
        return Parsed.refused("is not accepted: REINDEX must name INDEX, TABLE, SCHEMA or DATABASE and CONCURRENTLY");
      }
      if (!c.take("concurrently")) {
        return Parsed.refused("rebuilds without CONCURRENTLY, which blocks writes (and reads through the index);"
            + " write REINDEX " + scope + " CONCURRENTLY");
      }
      List<String> target = c.qualifiedName();
      if (target.isEmpty() && !scope.equals("DATABASE")) {
        return Parsed.refused("expected the " + scope.toLowerCase(java.util.Locale.ROOT) + " to rebuild");
      }
      if (!c.atEnd()) {
        return Parsed.refused("has more after the name than REINDEX takes");
      }
      boolean relation = scope.equals("INDEX") || scope.equals("TABLE");
      return Parsed.of(OnlineKind.REINDEX, new OnlineStatement.IndexBuild(scope, target, null), relation ? target : null,
          false);
    }
    if (c.take("alter")) {
      if (c.take("table")) {
        if (c.take("if") && !c.take("exists")) {
          return Parsed.refused("expected IF EXISTS");
        }
        c.take("only");
        List<String> table = c.qualifiedName();
        if (table.isEmpty()) {
          return Parsed.refused("expected the table");
        }
        c.takePunct('*');
        if (!(c.take("validate") && c.take("constraint") && c.name() && c.atEnd())) {
          return Parsed.refused("is not accepted: of ALTER TABLE only a lone VALIDATE CONSTRAINT name runs online"
              + " (other actions take a strong lock or belong in the transactional artifact)");
        }
        return Parsed.of(OnlineKind.VALIDATE_CONSTRAINT, null, table, false);
      }
      if (c.take("type")) {
        List<String> type = c.qualifiedName();
        if (type.isEmpty() || !(c.take("add") && c.take("value"))) {
          return Parsed.refused("is not accepted: of ALTER TYPE only ADD VALUE runs online");
        }
        if (c.take("if") && !(c.take("not") && c.take("exists"))) {
          return Parsed.refused("expected IF NOT EXISTS");
        }
        if (!c.string()) {
          return Parsed.refused("expected the new label as a string literal");
        }
        if ((c.take("before") || c.take("after")) && !c.string()) {
          return Parsed.refused("expected a label after BEFORE or AFTER");
        }
        return c.atEnd() ? Parsed.of(OnlineKind.ADD_ENUM_VALUE, null, type, true)
            : Parsed.refused("has more after the label than ADD VALUE takes");
      }
    }
    if (c.take("analyze") || c.take("analyse")) {
      return Parsed.of(OnlineKind.ANALYZE, null, null, false);
    }
    return Parsed.refused("is not accepted in the online step; only " + ALLOWED + " (put other statements in the"
        + " transactional artifact)");
  }

  /** A read position over a statement's tokens. */
  private static final class Cursor {
    private final List<Token> t;
    private int i;

    Cursor(List<Token> t) {
      this.t = t;
    }

    boolean atEnd() {
      return i >= t.size();
    }

    boolean at(String keyword) {
      return !atEnd() && t.get(i).is(keyword);
    }

    boolean atWord(String keyword) {
      return at(keyword);
    }

    boolean take(String keyword) {
      if (at(keyword)) {
        i++;
        return true;
      }
      return false;
    }

    boolean peekPunct(char c) {
      return !atEnd() && t.get(i).isPunct(c);
    }

    boolean takePunct(char c) {
      if (peekPunct(c)) {
        i++;
        return true;
      }
      return false;
    }

    Token next() {
      return t.get(i++);
    }

    Token last() {
      return t.get(i - 1);
    }

    /** One name (a word or a quoted identifier). */
    boolean name() {
      if (!atEnd() && t.get(i).isName()) {
        i++;
        return true;
      }
      return false;
    }

    boolean string() {
      if (!atEnd() && t.get(i).kind() == SqlTokens.Kind.STRING) {
        i++;
        return true;
      }
      return false;
    }

    /** {@code name [. name …]}: its parts, or empty (nothing consumed) when no name stands here. */
    List<String> qualifiedName() {
      List<String> parts = new ArrayList<>();
      if (!name()) {
        return parts;
      }
      parts.add(last().text());
      while (peekPunct('.') && i + 1 < t.size() && t.get(i + 1).isName()) {
        i += 2;
        parts.add(last().text());
      }
      return parts;
    }

    void skipParenthesised() {
      int depth = 0;
      do {
        Token x = next();
        if (x.isPunct('(')) {
          depth++;
        } else if (x.isPunct(')')) {
          depth--;
        }
      } while (depth > 0 && !atEnd());
    }
  }
}
