package dev.cutter.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text before it is written anywhere (SPEC section 6): connection passwords,
 * {@code PGPASSWORD}, tokens in URLs, armored private keys, bearer tokens, cloud keys and the
 * exact values of secret-looking environment variables; also shows paths under the home directory
 * as {@code ~/…}. Immutable; {@link #scan} returns the masked text and what was found (never the
 * secret itself).
 */
public final class SecretScanner {

  /** What replaces a secret. */
  public static final String MASK = "****";

  /** Environment variable names whose values are treated as secrets. */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(PASSWORD|PASSWD|SECRET|TOKEN|PASSPHRASE|KEY|CREDENTIAL).*");

  /** Exact values shorter than this are not masked on their own: they would mask ordinary words. */
  static final int MIN_SECRET_LENGTH = 4;

  private static final String VALUE = "('[^']*'|\"[^\"]*\"|[^\\s'\",;&]+)";

  private static final List<Rule> RULES = List.of(
      new Rule(Pattern.compile("-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----(.*?)(?=-----END \\1-----|\\z)",
          Pattern.DOTALL), 2, m -> m.group(1).contains("PGP") ? "PGP private key" : "private key"),
      new Rule(Pattern.compile("(?i)\\b([a-z][a-z0-9+.\\-]*)://[^\\s:/?#@]*:([^\\s/?#]+)@"), 2,
          m -> m.group(1).toLowerCase(Locale.ROOT).startsWith("postgres") ? "connection password" : "URL credential"),
      new Rule(Pattern.compile("(?i)\\bhttps?://([A-Za-z0-9_\\-.~]{16,})@"), 1, m -> "URL credential"),
      new Rule(Pattern.compile("(?i)[?&;](?:access_token|refresh_token|id_token|token|api_key|apikey|api-key|key|secret"
          + "|client_secret|password|passwd|pwd|sig|signature|auth|private_token|session|sessionid)=([^&\\s#\"'<>]+)"),
          1, m -> "URL token"),
      new Rule(Pattern.compile("(?i)\\bPGPASSWORD\\s*[=:]\\s*" + VALUE), 1, m -> "PGPASSWORD"),
      new Rule(Pattern.compile("\\b[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|PASSPHRASE|API_?KEY|PRIVATE_KEY|ACCESS_KEY)"
          + "[A-Z0-9_]*\\s*=\\s*" + VALUE), 1, m -> "secret variable"),
      new Rule(Pattern.compile("(?i)\\b(password|passwd|pwd|passphrase|client_secret|secret|api[_-]?key"
          + "|access[_-]?token|auth[_-]?token|aws_secret_access_key)\\s*[=:]\\s*" + VALUE), 2,
          m -> keywordLabel(m.group(1))),
      new Rule(Pattern.compile("(?i)\\bauthorization:\\s*basic\\s+([A-Za-z0-9+/=]{8,})"), 1, m -> "basic credentials"),
      new Rule(Pattern.compile("(?i)\\bbearer\\s+([A-Za-z0-9\\-._~+/]{8,}=*)"), 1, m -> "bearer token"),
      new Rule(Pattern.compile("\\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16})\\b"), 1, m -> "AWS access key"),
      new Rule(Pattern.compile("\\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_\\-]{20,}"
          + "|xox[abprs]-[A-Za-z0-9\\-]{10,})"), 1, m -> "access token"));

  private static final Pattern OTHER_HOME = Pattern.compile("(?<![\\w./~-])/(?:home|Users)/([A-Za-z0-9._-]+)(?=/|\\b)");

  private final List<Secret> secrets;
  private final String home;
  private final Pattern homePattern;

  private SecretScanner(List<Secret> secrets, String home) {
    this.secrets = secrets.stream()
        .sorted(Comparator.comparingInt((Secret s) -> s.value().length()).reversed().thenComparing(Secret::label))
        .toList();
    this.home = home == null || home.isBlank() || home.equals("/") ? null : stripTrailingSlash(home);
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
      if (name != null && SECRET_NAME.matcher(name).matches() && isMaskable(value)) {
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

  /** Masks {@code text}, adding what it found to {@code findings}. */
  public String scan(String text, SecretFindings findings) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (Rule rule : RULES) {
      out = rule.apply(out, findings);
    }
    for (Secret secret : secrets) {
      out = secret.apply(out, findings);
    }
    return tildeHome(out);
  }

  /** Masks {@code text} where nothing needs to be recorded (a log line, stderr). */
  public String mask(String text) {
    return scan(text, new SecretFindings());
  }

  /** Shows the user's home directory as {@code ~} and other users' homes as {@code ~name}. */
  String tildeHome(String text) {
    String out = text;
    if (homePattern != null) {
      out = homePattern.matcher(out).replaceAll("~");
    }
    return OTHER_HOME.matcher(out).replaceAll(m -> Matcher.quoteReplacement("~" + m.group(1)));
  }

  private static boolean isMaskable(String value) {
    return value != null && value.strip().length() >= MIN_SECRET_LENGTH && !value.strip().chars().allMatch(c -> c == '*');
  }

  private static String stripTrailingSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static String keywordLabel(String keyword) {
    String k = keyword.toLowerCase(Locale.ROOT);
    if (k.startsWith("pass") && k.contains("phrase")) {
      return "passphrase";
    }
    if (k.startsWith("pass") || k.equals("pwd")) {
      return "password";
    }
    if (k.contains("token")) {
      return "token";
    }
    if (k.contains("key")) {
      return k.startsWith("aws") ? "AWS secret key" : "API key";
    }
    return "secret";
  }

  /** One pattern: {@code group} of each match is replaced by {@link #MASK}. */
  private record Rule(Pattern pattern, int group, Function<Matcher, String> label) {

    String apply(String text, SecretFindings findings) {
      Matcher m = pattern.matcher(text);
      StringBuilder out = null;
      int last = 0;
      while (m.find()) {
        String secret = m.group(group);
        if (secret == null || isAlreadyMasked(secret)) {
          continue;
        }
        if (out == null) {
          out = new StringBuilder(text.length());
        }
        out.append(text, last, m.start(group)).append(MASK);
        last = m.end(group);
        findings.add(label.apply(m));
      }
      return out == null ? text : out.append(text, last, text.length()).toString();
    }

    private static boolean isAlreadyMasked(String secret) {
      String s = secret.strip();
      if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"')) {
        s = s.substring(1, s.length() - 1);
      }
      return s.isEmpty() || s.equals(MASK);
    }
  }

  /** A known secret value; every occurrence is masked. */
  private record Secret(String label, String value) {

    String apply(String text, SecretFindings findings) {
      int at = text.indexOf(value);
      if (at < 0) {
        return text;
      }
      StringBuilder out = new StringBuilder(text.length());
      int last = 0;
      while (at >= 0) {
        out.append(text, last, at).append(MASK);
        findings.add(label);
        last = at + value.length();
        at = text.indexOf(value, last);
      }
      return out.append(text, last, text.length()).toString();
    }
  }
}
