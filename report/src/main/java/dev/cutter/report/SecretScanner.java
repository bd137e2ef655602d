package dev.cutter.report;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Masks secrets in text before it is written anywhere (SPEC section 6): connection passwords and
 * other URL userinfo, {@code PGPASSWORD}, {@code sslpassword}, SQL {@code PASSWORD '…'} literals,
 * values of JSON/YAML keys and variables named like secrets, tokens in URLs, armored private keys,
 * bearer tokens, cloud keys, and known secret values (secret-looking environment variables, the
 * passwords a run used) also when they appear base64-encoded, URL-encoded or in another case;
 * also shows paths under the home directory as {@code ~/…}. Immutable; {@link #scan} returns the
 * masked text and what was found (never the secret itself).
 */
public final class SecretScanner {

  /** What replaces a secret. */
  public static final String MASK = "****";

  /**
   * Environment variable names whose values are treated as secrets: {@code *PASS*} (DB_PASS,
   * PGPASSWORD, …), {@code *SECRET*}, {@code *TOKEN*}, {@code *KEY*}, {@code *CREDENTIAL*}.
   */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(PASS|SECRET|TOKEN|KEY|CREDENTIAL).*");

  /** libpq variables whose names look secret but whose values are file names cutter's own messages quote. */
  private static final Set<String> FILE_NAME_VARIABLES = Set.of("PGPASSFILE", "PGSSLKEY");

  /** Values that are never secrets on their own, whatever the variable is called. */
  private static final Set<String> PLAIN_VALUES =
      Set.of("true", "false", "yes", "no", "none", "null", "on", "off");

  /** Known values shorter than this are not searched for in base64 form: the encoding is too short to be telling. */
  static final int MIN_ENCODED_LENGTH = 8;

  /** Texts at least this long are searched for known values only where a value's form can begin. */
  static final int LONG_TEXT = 256;

  /** Exact values shorter than this are not masked on their own: they would mask ordinary words. */
  static final int MIN_SECRET_LENGTH = 4;

  private static final String VALUE = "('[^']*'|\"[^\"]*\"|[^\\s'\",;&]+)";
  /** A value whose quotes are kept: group 1 inside single quotes, 2 inside double quotes, 3 bare. */
  private static final String QUOTED_VALUE = "(?:'([^'\\n]*)'|\"((?:[^\"\\\\\\n]|\\\\.)*)\"|([^\\s'\",;&}\\]]+))";
  /** Names of JSON/YAML keys (and their suffixes) whose values are secrets. */
  private static final String SECRET_KEY = "[A-Za-z0-9_.\\-]*(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey"
      + "|private[_-]?key|secret[_-]?key|access[_-]?key|credentials?)";

  /** Characters a URL scheme may have before its {@code ://}. */
  private static final String SCHEME = "A-Za-z0-9+.-";
  /** Characters of the keywords before the literal a rule's keyword contains (ssl, client_, api-, …). */
  private static final String WORD_DASH = "A-Za-z0-9_-";
  /** Characters of an upper-case variable name. */
  private static final String UPPER_WORD = "A-Z0-9_";
  /** Characters of a JSON/YAML key name ({@link #SECRET_KEY}'s prefix). */
  private static final String KEY_NAME = "A-Za-z0-9_.-";

  private static final List<Rule> RULES = List.of(
      // the armour line followed by key material: a line break (also one escaped as \n in a log or JSON line)
      // or base64 at once; a message that only quotes the armour line ("expected … (-----BEGIN … -----)") is kept
      new Rule(Pattern.compile("-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----"
          + "(?=[ \\t]*(?:\\r?\\n|\\\\n)|[A-Za-z0-9+/])(.*?)(?=-----END \\1-----|\\z)", Pattern.DOTALL), 2,
          m -> m.group(1).contains("PGP") ? "PGP private key" : "private key", Starts.at(false, "-----BEGIN ")),
      new Rule(Pattern.compile("(?i)\\b([a-z][a-z0-9+.\\-]*)://[^\\s:/?#@]*:([^\\s/?#]+)@"), 2,
          m -> m.group(1).toLowerCase(Locale.ROOT).startsWith("postgres") ? "connection password" : "URL credential",
          Starts.after(SCHEME, 0, false, "://")),
      new Rule(Pattern.compile("(?i)\\bhttps?://([A-Za-z0-9_\\-.~]{16,})@"), 1, m -> "URL credential",
          Starts.after(SCHEME, 0, false, "://")),
      new Rule(Pattern.compile("(?i)[?&;](?:access_token|refresh_token|id_token|token|api_key|apikey|api-key|key|secret"
          + "|client_secret|password|passwd|pwd|sslpassword|sig|signature|auth|private_token|session|sessionid)"
          + "=([^&\\s#\"'<>]+)"), 1, m -> "URL token", Starts.after(WORD_DASH, 1, false, "=")),
      new Rule(Pattern.compile("(?i)\\bPGPASSWORD\\s*[=:]\\s*" + VALUE), 1, m -> "PGPASSWORD", Starts.at(true, "pgpassword")),
      // CREATE/ALTER ROLE … [ENCRYPTED] PASSWORD '…' (also E'…' and dollar quotes); the quotes stay
      new Rule(Pattern.compile("(?i)\\bPASSWORD\\s+(?:E?'((?:[^']|'')*)'|\\$([A-Za-z_]*)\\$(.*?)\\$\\2\\$)",
          Pattern.DOTALL), new int[] {1, 3}, m -> "SQL password", Starts.at(true, "password")),
      new Rule(Pattern.compile("\\b[A-Z0-9_]*(?:PASSWORD|PASSWD|_PASS|SECRET|TOKEN|PASSPHRASE|API_?KEY|PRIVATE_KEY"
          + "|ACCESS_KEY|_KEY)[A-Z0-9_]*\\s*=\\s*" + VALUE), new int[] {1}, m -> "secret variable",
          Starts.after(UPPER_WORD, 0, false, "PASS", "SECRET", "TOKEN", "KEY")),
      new Rule(Pattern.compile("(?i)\\b(sslpassword|password|passwd|pwd|passphrase|client_secret|secret|api[_-]?key"
          + "|access[_-]?token|auth[_-]?token|aws_secret_access_key)\\s*[=:]\\s*" + VALUE), new int[] {2},
          m -> keywordLabel(m.group(1)), Starts.after(WORD_DASH, 0, true, "pass", "pwd", "secret", "key", "token")),
      // "password": "…", 'api_key': '…', private_key: … (JSON, YAML, Python-ish dicts); the quotes stay
      new Rule(Pattern.compile("(?i)(?<![A-Za-z0-9_])([\"']?)(" + SECRET_KEY + ")\\1\\s*[:=]\\s*" + QUOTED_VALUE),
          new int[] {3, 4, 5}, m -> keywordLabel(m.group(2)),
          Starts.after(KEY_NAME, 1, true, "pass", "secret", "token", "key", "credential")),
      new Rule(Pattern.compile("(?i)\\bauthorization:\\s*basic\\s+([A-Za-z0-9+/=]{8,})"), new int[] {1},
          m -> "basic credentials", Starts.at(true, "authorization:")),
      new Rule(Pattern.compile("(?i)\\bbearer\\s+([A-Za-z0-9\\-._~+/]{8,}=*)"), new int[] {1}, m -> "bearer token",
          Starts.at(true, "bearer")),
      new Rule(Pattern.compile("\\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16})\\b"), new int[] {1},
          m -> "AWS access key", Starts.at(false, "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA")),
      new Rule(Pattern.compile("\\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_\\-]{20,}"
          + "|xox[abprs]-[A-Za-z0-9\\-]{10,})"), new int[] {1}, m -> "access token",
          Starts.at(false, "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xoxa-", "xoxb-", "xoxp-",
              "xoxr-", "xoxs-")));

  private static final Pattern OTHER_HOME = Pattern.compile("(?<![\\w./~-])/(?:home|Users)/([A-Za-z0-9._-]+)(?=/|\\b)");

  private final List<Secret> secrets;
  private final String home;
  private final Pattern homePattern;

  private SecretScanner(List<Secret> secrets, String home) {
    this.secrets = secrets.stream()
        .sorted(Comparator.comparingInt((Secret s) -> s.value().length()).reversed().thenComparing(Secret::label))
        .toList();
    this.home = home == null || home.isBlank() || home.equals("/") ? null
        : home.endsWith("/") ? home.substring(0, home.length() - 1) : home;
    this.homePattern = this.home == null ? null : Pattern.compile("(?<![\\w./~-])" + Pattern.quote(this.home)
        + "(?=/|$|[\\s'\"`),;:|\\]])", Pattern.MULTILINE);
  }

  /** A scanner with the built-in patterns only, no known values and no home directory. */
  public static SecretScanner patternsOnly() {
    return new SecretScanner(List.of(), null);
  }

  /**
   * A scanner that also masks the values of the secret-looking variables of {@code env} (names
   * containing PASSWORD, SECRET, TOKEN, PASSPHRASE, KEY, …) and shows {@code home} as {@code ~}.
   * The CLI passes {@code System.getenv()} and {@code user.home}.
   */
  public static SecretScanner forEnvironment(Map<String, String> env, String home) {
    List<Secret> secrets = new ArrayList<>();
    env.forEach((name, value) -> {
      if (name != null && SECRET_NAME.matcher(name).matches() && !FILE_NAME_VARIABLES.contains(name)
          && isMaskable(value)) {
        secrets.add(new Secret("value of " + name, value));
      }
    });
    return new SecretScanner(secrets, home);
  }

  /** This scanner, also masking every occurrence of {@code value}, reported as {@code label}. */
  public SecretScanner withSecret(String label, String value) {
    Objects.requireNonNull(label, "label");
    if (!isMaskable(value)) {
      return this;
    }
    List<Secret> more = new ArrayList<>(secrets);
    more.add(new Secret(label, value));
    return new SecretScanner(more, home);
  }

  /**
   * Whether {@code other} masks every text as this scanner does: the same known values under the
   * same labels, in the same order, and the same home directory (the patterns are the same in every scanner).
   */
  boolean masksAs(SecretScanner other) {
    if (other == this) {
      return true;
    }
    if (other == null || !Objects.equals(home, other.home) || secrets.size() != other.secrets.size()) {
      return false;
    }
    for (int i = 0; i < secrets.size(); i++) {
      Secret a = secrets.get(i);
      Secret b = other.secrets.get(i);
      if (!a.label().equals(b.label()) || !a.value().equals(b.value())) {
        return false;
      }
    }
    return true;
  }

  /** Masks {@code text}, adding what it found to {@code findings}. */
  public String scan(String text, SecretFindings findings) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    Starts.Folded folded = new Starts.Folded();
    for (Rule rule : RULES) {
      out = rule.apply(out, findings, folded);
    }
    for (Secret secret : secrets) {
      out = secret.apply(out, findings);
    }
    return tildeHome(out);
  }

  /**
   * {@link #scan} as it is defined: every rule's pattern found over the whole text, without
   * looking for literals first. {@link #scan} must give the same text and findings (the tests
   * compare the two).
   */
  String scanEveryPosition(String text, SecretFindings findings) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (Rule rule : RULES) {
      out = rule.applyEveryPosition(out, findings);
    }
    for (Secret secret : secrets) {
      out = secret.applyEveryPosition(out, findings);
    }
    String home = out;
    if (homePattern != null) {
      home = homePattern.matcher(home).replaceAll("~");
    }
    return OTHER_HOME.matcher(home).replaceAll(m -> Matcher.quoteReplacement("~" + m.group(1)));
  }

  /** {@link Secret#unicodeFold}, for the test that holds it against the regex engine. */
  static char unicodeFoldForTests(char c) {
    return Secret.unicodeFold(c);
  }

  /** Masks {@code text} where nothing needs to be recorded (a log line, stderr). */
  public String mask(String text) {
    return scan(text, new SecretFindings());
  }

  /** Shows the user's home directory as {@code ~} and other users' homes as {@code ~name}. */
  String tildeHome(String text) {
    String out = text;
    // each pattern needs its literal: without it, it cannot match and the text stays as it is
    if (homePattern != null && out.contains(home)) {
      out = homePattern.matcher(out).replaceAll("~");
    }
    if (!out.contains("/home/") && !out.contains("/Users/")) {
      return out;
    }
    return OTHER_HOME.matcher(out).replaceAll(m -> Matcher.quoteReplacement("~" + m.group(1)));
  }

  private static boolean isMaskable(String value) {
    return value != null && value.strip().length() >= MIN_SECRET_LENGTH && !value.strip().chars().allMatch(c -> c == '*')
        && !PLAIN_VALUES.contains(value.strip().toLowerCase(Locale.ROOT));
  }

  private static String keywordLabel(String keyword) {
    String k = keyword.toLowerCase(Locale.ROOT);
    if (k.contains("passphrase")) {
      return "passphrase";
    }
    if (k.contains("pass") || k.equals("pwd")) {
      return "password";
    }
    if (k.contains("token")) {
      return "token";
    }
    if (k.contains("key")) {
      return k.startsWith("aws") ? "AWS secret key" : k.contains("private") ? "private key" : "API key";
    }
    if (k.contains("credential")) {
      return "credentials";
    }
    return "secret";
  }

  /**
   * One pattern: the first of {@code groups} that took part in each match is replaced by {@link #MASK}.
   * The pattern is tried only where {@code starts} says a match can begin (next to a literal every
   * match contains); the matches, and so the result, are those of {@link Matcher#find()} over the
   * whole text.
   */
  private record Rule(Pattern pattern, int[] groups, Function<Matcher, String> label, Starts starts) {

    Rule(Pattern pattern, int group, Function<Matcher, String> label, Starts starts) {
      this(pattern, new int[] {group}, label, starts);
    }

    String apply(String text, SecretFindings findings, Starts.Folded folded) {
      BitSet candidates = starts.of(text, folded);
      if (candidates == null) {
        return text;
      }
      // each candidate is tried as find() would try it: the text around it stays visible (\b, lookbehind)
      Matcher m = pattern.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
      Masking out = new Masking(text, findings);
      int from = 0; // where find() would go on looking: the end of the match before
      for (int s = candidates.nextSetBit(0); s >= 0; s = candidates.nextSetBit(Math.max(s + 1, from))) {
        if (s < from) {
          continue;
        }
        m.region(s, text.length());
        if (!m.lookingAt()) {
          continue;
        }
        from = m.end() == m.start() ? m.end() + 1 : m.end();
        out.take(m);
      }
      return out.result();
    }

    /** The same with {@link Matcher#find()} over the whole text: the definition {@link #apply} keeps to. */
    String applyEveryPosition(String text, SecretFindings findings) {
      Matcher m = pattern.matcher(text);
      Masking out = new Masking(text, findings);
      while (m.find()) {
        out.take(m);
      }
      return out.result();
    }

    /** {@code text} with the first matched group of each match taken masked, as both ways of finding them mask it. */
    private final class Masking {
      private final String text;
      private final SecretFindings findings;
      private StringBuilder out;
      private int last;

      Masking(String text, SecretFindings findings) {
        this.text = text;
        this.findings = findings;
      }

      /** Masks {@code m}'s first matched group, unless it is empty, masked already, or overlaps the mask before. */
      void take(Matcher m) {
        int group = firstMatched(m);
        String secret = group < 0 ? null : m.group(group);
        if (secret == null || isAlreadyMasked(secret) || m.start(group) < last) {
          return;
        }
        if (out == null) {
          out = new StringBuilder(text.length());
        }
        out.append(text, last, m.start(group)).append(MASK);
        last = m.end(group);
        findings.add(label.apply(m));
      }

      String result() {
        return out == null ? text : out.append(text, last, text.length()).toString();
      }
    }

    private int firstMatched(Matcher m) {
      for (int g : groups) {
        if (m.group(g) != null) {
          return g;
        }
      }
      return -1;
    }

    private static boolean isAlreadyMasked(String secret) {
      String s = secret.strip();
      if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"')) {
        s = s.substring(1, s.length() - 1);
      }
      return s.isEmpty() || s.equals(MASK) || PLAIN_VALUES.contains(s.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Where a rule's matches can begin: every match contains one of {@code literals} (compared
   * ignoring ASCII case when {@code foldCase}, as {@code (?i)} without UNICODE_CASE does), and
   * between the match's start and that literal there are at most {@code extra} characters plus
   * characters of {@code before} only. The positions are a superset of the matches' starts.
   */
  record Starts(boolean foldCase, String[] literals, boolean[] before, int extra) {

    /** Matches begin at the literal itself. */
    static Starts at(boolean foldCase, String... literals) {
      return new Starts(foldCase, literals, new boolean[128], 0);
    }

    /** Matches begin up to a run of {@code chars} (a character-class body of ranges and single characters), plus {@code extra}, before the literal. */
    static Starts after(String chars, int extra, boolean foldCase, String... literals) {
      boolean[] in = new boolean[128];
      for (int i = 0; i < chars.length(); i++) {
        if (i + 2 < chars.length() && chars.charAt(i + 1) == '-') {
          for (char c = chars.charAt(i); c <= chars.charAt(i + 2); c++) {
            in[c] = true;
          }
          i += 2;
        } else {
          in[chars.charAt(i)] = true;
        }
      }
      return new Starts(foldCase, literals, in, extra);
    }

    /** The positions, or null when no literal occurs (no match can). */
    BitSet of(String text, Folded folded) {
      String haystack = foldCase ? folded.of(text) : text;
      BitSet out = null;
      for (String literal : literals) {
        for (int at = haystack.indexOf(literal); at >= 0; at = haystack.indexOf(literal, at + 1)) {
          if (out == null) {
            out = new BitSet();
          }
          int start = at;
          while (start > 0 && text.charAt(start - 1) < 128 && before[text.charAt(start - 1)]) {
            start--;
          }
          out.set(Math.max(0, start - extra), at + 1);
        }
      }
      return out;
    }

    /** The text with ASCII letters in lower case (same length, same positions), made once per text. */
    static final class Folded {
      private String text;
      private String folded;

      String of(String t) {
        if (t != text) {
          char[] chars = t.toCharArray();
          for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
              chars[i] = (char) (chars[i] + ('a' - 'A'));
            }
          }
          text = t;
          folded = new String(chars);
        }
        return folded;
      }
    }
  }

  /**
   * A known secret value; every occurrence is masked, in any case, URL-encoded, or base64-encoded
   * (also inside a longer base64 text, at any of the three byte alignments).
   */
  private record Secret(String label, String value, Pattern forms, char[] firsts, boolean[] asciiStarts) {

    Secret(String label, String value) {
      this(label, value, formsOf(value), firstsOf(value));
    }

    private Secret(String label, String value, Pattern forms, char[] firsts) {
      this(label, value, forms, firsts, firsts == null ? null : asciiStartsOf(firsts));
    }

    String apply(String text, SecretFindings findings) {
      if (firsts == null || text.length() < LONG_TEXT) {
        return applyEveryPosition(text, findings);
      }
      // tried only where a form's first character is (as CASE_INSENSITIVE | UNICODE_CASE compares it)
      Matcher m = forms.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
      StringBuilder out = null;
      int last = 0;
      for (int i = 0; i < text.length(); i++) {
        if (!mayStart(text.charAt(i))) {
          continue;
        }
        m.region(i, text.length());
        if (!m.lookingAt()) {
          continue;
        }
        if (out == null) {
          out = new StringBuilder(text.length());
        }
        out.append(text, last, m.start()).append(MASK);
        findings.add(label);
        last = m.end();
        i = last - 1; // every form is 4 characters or more: a match is never empty
      }
      return out == null ? text : out.append(text, last, text.length()).toString();
    }

    /** Every occurrence found over the whole text: the definition {@link #apply} keeps to. */
    String applyEveryPosition(String text, SecretFindings findings) {
      Matcher m = forms.matcher(text);
      if (!m.find()) {
        return text;
      }
      StringBuilder out = new StringBuilder(text.length());
      int last = 0;
      do {
        out.append(text, last, m.start()).append(MASK);
        findings.add(label);
        last = m.end();
      } while (m.find());
      return out.append(text, last, text.length()).toString();
    }

    private boolean mayStart(char c) {
      return c < 128 ? asciiStarts[c] : mayStart(firsts, c);
    }

    /** {@link #mayStart} for each ASCII character, decided once per secret: most of a report's characters are ASCII. */
    private static boolean[] asciiStartsOf(char[] firsts) {
      boolean[] starts = new boolean[128];
      for (char c = 0; c < 128; c++) {
        starts[c] = mayStart(firsts, c);
      }
      return starts;
    }

    private static boolean mayStart(char[] firsts, char c) {
      char folded = 0;
      boolean foldedYet = false;
      for (char f : firsts) {
        if (c == f) {
          return true;
        }
        if (!foldedYet) {
          folded = unicodeFold(c);
          foldedYet = true;
        }
        if (folded == f) {
          return true;
        }
      }
      return false;
    }

    /**
     * How CASE_INSENSITIVE | UNICODE_CASE compares one character of a literal: lower case of the
     * upper case ({@code SecretScannerLiteralsTest} holds this against the regex engine for every character).
     */
    static char unicodeFold(char c) {
      return Character.toLowerCase(Character.toUpperCase(c));
    }

    /** The folded first characters of the forms; null when a form starts with a surrogate (then every position is tried). */
    private static char[] firstsOf(String value) {
      List<String> forms = formList(value);
      StringBuilder firsts = new StringBuilder();
      for (String f : forms) {
        char c = f.charAt(0);
        if (Character.isSurrogate(c)) {
          return null;
        }
        char folded = unicodeFold(c);
        if (firsts.indexOf(String.valueOf(folded)) < 0) {
          firsts.append(folded);
        }
      }
      return firsts.toString().toCharArray();
    }

    private static Pattern formsOf(String value) {
      // longest first, so that a form containing another is masked whole
      String alternatives = formList(value).stream().map(Pattern::quote).collect(Collectors.joining("|"));
      return Pattern.compile(alternatives, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** The forms searched for, longest first: the value, URL-encoded, base64-encoded at each alignment. */
    private static List<String> formList(String value) {
      LinkedHashSet<String> forms = new LinkedHashSet<>();
      forms.add(value);
      forms.add(URLEncoder.encode(value, StandardCharsets.UTF_8));
      forms.add(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
      if (value.length() >= MIN_ENCODED_LENGTH) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (int shift = 0; shift < 3; shift++) {
          forms.add(base64Core(Base64.getEncoder(), bytes, shift));
          forms.add(base64Core(Base64.getUrlEncoder(), bytes, shift));
        }
      }
      return forms.stream().filter(f -> f.length() >= MIN_SECRET_LENGTH)
          .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /**
     * The base64 characters that depend on {@code bytes} alone when they start {@code shift}
     * bytes into a longer encoded text: what a search finds whatever surrounds the secret.
     */
    private static String base64Core(Base64.Encoder encoder, byte[] bytes, int shift) {
      byte[] shifted = new byte[shift + bytes.length];
      System.arraycopy(bytes, 0, shifted, shift, bytes.length);
      String encoded = encoder.withoutPadding().encodeToString(shifted);
      int from = (shift * 8 + 5) / 6;
      int to = (shifted.length * 8) / 6;
      return to > from ? encoded.substring(from, to) : "";
    }
  }
}
