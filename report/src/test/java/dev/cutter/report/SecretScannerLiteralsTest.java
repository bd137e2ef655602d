package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scanner tries each rule only next to a literal every match of it contains (issue 14: the
 * report of 10,000 statements). That is a speed-up only: text and findings must be exactly what
 * every rule's pattern found over the whole text gives ({@link SecretScanner#scanEveryPosition}).
 */
class SecretScannerLiteralsTest {

  /** Pieces that make every rule match, nearly match, or match across a line break and around others. */
  private static final List<String> PIECES = List.of(
      "password", "PASSWORD", "Password", "passwd", "passphrase", "pwd", "PGPASSWORD", "sslpassword", "secret",
      "SECRET", "client_secret", "aws_secret_access_key", "token", "TOKEN", "access_token", "auth-token", "api_key",
      "API_KEY", "apikey", "APIKEY", "private-key", "PRIVATE_KEY", "ACCESS_KEY", "_KEY", "_PASS", "db_password",
      "credentials", "credential", "key", "KEY", "Key", "bearer ", "Bearer ", "authorization: basic ",
      "Authorization: Basic ", "postgres://", "postgresql://u:", "https://", "http://", "git+ssh://", "://", "@",
      "AKIA", "ASIA", "AKIAABCDEFGHIJKLMNOP", "ghp_", "github_pat_", "glpat-", "xoxb-", "-----BEGIN PRIVATE KEY-----",
      "-----END PRIVATE KEY-----", "-----BEGIN PGP PRIVATE KEY BLOCK-----", "-----END PGP PRIVATE KEY BLOCK-----",
      "=", " = ", ":", ": ", " ", "  ", "\n", "\t", "'", "''", "\"", "\\\"", "$$", "$tag$", "E'", "?", "&", ";", ",",
      "_", "-", ".", "/", "****", "'****'", "none", "true", "abcdefghijklmnopqrstuvwxyz0123", "ABCDEFGHIJKLMNOP1234",
      "x", "Z9", "0", "ſ", "\u212A", "é", "/home/alice/x", "/Users/bob", "/home/tester/work", "~", "{", "}", "[", "]",
      "hunter2-value", "HUNTER2-VALUE", "aHVudGVyMi12YWx1ZQ", "hunter2%2Dvalue", "- index: 7\n  text: ");

  private static final SecretScanner SCANNER = SecretScanner.forEnvironment(Map.of("APP_TOKEN", "hunter2-value"),
      "/home/tester");

  private static void same(String text) {
    SecretFindings fast = new SecretFindings();
    SecretFindings every = new SecretFindings();
    String a = SCANNER.scan(text, fast);
    String b = SCANNER.scanEveryPosition(text, every);
    assertThat(a).as("masked text of %s", text).isEqualTo(b);
    assertThat(fast.byKind()).as("findings of %s", text).isEqualTo(every.byKind());
  }

  @Test
  void randomTextsOfTheRulesPiecesAreMaskedExactlyAsByEveryPosition() {
    Random random = new Random(14);
    int masked = 0;
    for (int i = 0; i < 30_000; i++) {
      StringBuilder text = new StringBuilder();
      int n = random.nextInt(14);
      for (int k = 0; k < n; k++) {
        text.append(PIECES.get(random.nextInt(PIECES.size())));
      }
      same(text.toString());
      masked += SCANNER.mask(text.toString()).contains(SecretScanner.MASK) ? 1 : 0;
    }
    // the pieces do make secrets often, so the comparison covers masking, not only clean texts
    assertThat(masked).isGreaterThan(5_000);
  }

  @Test
  void knownValuesInLongTextsAreMaskedExactlyAsByEveryPosition() {
    // a value with letters whose Unicode case partners are other characters (ſ for s, the Kelvin sign for k)
    String value = "Kask-Secret-Value-42";
    SecretScanner scanner = SecretScanner.forEnvironment(Map.of("APP_TOKEN", value), "/home/tester");
    String b64 = java.util.Base64.getEncoder().encodeToString(("xx" + value).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    List<String> variants = List.of(value, value.toLowerCase(java.util.Locale.ROOT), value.toUpperCase(java.util.Locale.ROOT),
        "\u212Aaſk-ſecret-Value-42", "kasK-SECRET-value-42", "Kask-Secret-Value-4", b64, b64.toLowerCase(java.util.Locale.ROOT),
        java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8), "Kask%2DSecret");
    Random random = new Random(1414);
    int masked = 0;
    for (int i = 0; i < 3_000; i++) {
      StringBuilder text = new StringBuilder();
      while (text.length() < SecretScanner.LONG_TEXT + random.nextInt(400)) {
        text.append(random.nextInt(4) == 0 ? variants.get(random.nextInt(variants.size()))
            : PIECES.get(random.nextInt(PIECES.size())));
      }
      SecretFindings fast = new SecretFindings();
      SecretFindings every = new SecretFindings();
      String a = scanner.scan(text.toString(), fast);
      assertThat(a).as("masked text of %s", text).isEqualTo(scanner.scanEveryPosition(text.toString(), every));
      assertThat(fast.byKind()).isEqualTo(every.byKind());
      masked += fast.byKind().getOrDefault("value of APP_TOKEN", 0) > 0 ? 1 : 0;
    }
    assertThat(masked).isGreaterThan(2_000);
  }

  /** The scanner's model of how CASE_INSENSITIVE | UNICODE_CASE compares a literal's character, against the engine. */
  @Test
  void theFirstCharacterTestAgreesWithTheRegexEngineForEveryCharacter() {
    String firsts = "aAkKsSiIzZ09%-_+/=ſ\u212Aİıéßσς\u01C5";
    for (char p : firsts.toCharArray()) {
      java.util.regex.Pattern slice = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(p + "yz9"),
          java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.UNICODE_CASE);
      char f = SecretScanner.unicodeFoldForTests(p);
      for (int c = 0; c <= Character.MAX_VALUE; c++) {
        if (Character.isSurrogate((char) c)) {
          continue;
        }
        boolean engine = slice.matcher((char) c + "yz9").matches();
        boolean model = c == f || SecretScanner.unicodeFoldForTests((char) c) == f;
        assertThat(model).as("U+%04X against %s", c, p).isEqualTo(engine);
      }
    }
  }

  @Test
  void matchesThatBeginBeforeTheirLiteralOrSpanLinesAreMaskedAsBefore() {
    List<String> cases = List.of(
        "my_db.password: 's3cr3t-value'", "\"x-api-key\" : \"abcdefgh\"", "'private_key'= plain-value",
        "APP_SECRET_TOKEN = 'a b c'", "SOME_API_KEY=xyz123", "url: git+ssh://user:pw@host/repo",
        "https://abcdefghijklmnopqrstu@github.example/x", "see ?client_secret=abc&x=1 and ;sessionid=42",
        "password\n  : multi-line-value", "-----BEGIN PRIVATE KEY-----\nMIIEv\nno end", "create role r password $p$a;b$p$",
        "PASSWORD E'it''s'", "text: \"create role r password 'pw'\"\n  duration_ms: 3", "ſecret: x", "\u212Aey: x",
        "credentials:\n  - a", "authorization: basic QWxhZGRpbjpvcGVu", "Bearer abcdefghijkl", "AKIAABCDEFGHIJKLMNOP.",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "/home/tester/a and /home/zoe/b", "aHVudGVyMi12YWx1ZQ==");
    cases.forEach(SecretScannerLiteralsTest::same);
    assertThat(SCANNER.mask("my_db.password: 's3cr3t-value'")).isEqualTo("my_db.password: ****");
    assertThat(SCANNER.mask("\"x-api-key\" : \"abcdefgh\"")).isEqualTo("\"x-api-key\" : \"****\"");
  }
}
