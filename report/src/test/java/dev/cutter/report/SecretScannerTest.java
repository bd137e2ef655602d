package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretScannerTest {

  private final SecretScanner scanner = SecretScanner.patternsOnly();

  private String scan(String text, SecretFindings findings) {
    return scanner.scan(text, findings);
  }

  @Test
  void masksThePasswordOfAConnectionUri() {
    SecretFindings f = new SecretFindings();

    String out = scan("connecting to postgresql://deploy:Tr0ub4dor&3@db.internal:5432/ledger failed", f);

    assertThat(out).isEqualTo("connecting to postgresql://deploy:****@db.internal:5432/ledger failed");
    assertThat(f.summary()).isEqualTo("masked: 1 (connection password)");
  }

  @Test
  void masksAPasswordThatContainsAnAtSign() {
    String out = scanner.mask("postgres://u:p@ss@host/db");

    assertThat(out).isEqualTo("postgres://u:****@host/db").doesNotContain("ss@");
  }

  @Test
  void leavesAUriWithoutPasswordAlone() {
    SecretFindings f = new SecretFindings();

    assertThat(scan("postgresql://deploy@db.internal:5432/ledger", f)).isEqualTo("postgresql://deploy@db.internal:5432/ledger");
    assertThat(f.isEmpty()).isTrue();
  }

  @Test
  void masksPgpasswordAssignments() {
    SecretFindings f = new SecretFindings();

    String out = scan("env PGPASSWORD=hunter22 psql; export PGPASSWORD='two words'", f);

    assertThat(out).isEqualTo("env PGPASSWORD=**** psql; export PGPASSWORD=****");
    assertThat(f.byKind()).containsEntry("PGPASSWORD", 2);
  }

  @Test
  void masksPasswordsInConninfoStrings() {
    String out = scanner.mask("host=db port=5432 password=conninfoPW99 user=deploy sslmode=require");

    assertThat(out).isEqualTo("host=db port=5432 password=**** user=deploy sslmode=require");
    assertThat(scanner.mask("host=db password='with space' dbname=x")).isEqualTo("host=db password=**** dbname=x");
  }

  @Test
  void masksSecretLookingVariables() {
    assertThat(scanner.mask("DB_PASSWORD=abc123def BACKUP_GPG_PASSPHRASE=\"long pass phrase\" API_TOKEN=t0k3n"))
        .isEqualTo("DB_PASSWORD=**** BACKUP_GPG_PASSPHRASE=**** API_TOKEN=****");
  }

  @Test
  void masksTokensInUrlQueries() {
    SecretFindings f = new SecretFindings();

    String out = scan("push https://status.example/api/push/abc?status=up&token=abcd1234efgh&msg=OK and"
        + " https://x.example/cb?access_token=zz99&key=k3y", f);

    assertThat(out).isEqualTo("push https://status.example/api/push/abc?status=up&token=****&msg=OK and"
        + " https://x.example/cb?access_token=****&key=****");
    assertThat(f.byKind()).containsEntry("URL token", 3);
  }

  @Test
  void masksCredentialsInPushUrls() {
    String withUser = scanner.mask("remote: https://ci-bot:ghp_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIII@git.example/o/r.git");
    String tokenOnly = scanner.mask("https://ghp_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIII@git.example/o/r.git");

    assertThat(withUser).isEqualTo("remote: https://ci-bot:****@git.example/o/r.git");
    assertThat(tokenOnly).isEqualTo("https://****@git.example/o/r.git");
  }

  @Test
  void masksArmoredPrivateKeysButNotPublicKeys() {
    String key = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGX1secretMATERIAL\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----";
    String pub = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBGX1public\n-----END PGP PUBLIC KEY BLOCK-----";
    SecretFindings f = new SecretFindings();

    String out = scan("key:\n" + key + "\n" + pub, f);

    assertThat(out).doesNotContain("secretMATERIAL").contains("mQENBGX1public")
        .contains("-----BEGIN PGP PRIVATE KEY BLOCK-----****-----END PGP PRIVATE KEY BLOCK-----");
    assertThat(f.summary()).isEqualTo("masked: 1 (PGP private key)");
  }

  @Test
  void masksAPrivateKeyBlockCutOffBeforeItsEnd() {
    String out = scanner.mask("log: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA");

    assertThat(out).isEqualTo("log: -----BEGIN OPENSSH PRIVATE KEY-----****");
  }

  @Test
  void keepsCuttersOwnMessageThatQuotesTheArmourLineAndMasksKeysInOneLineLogs() {
    String own = "keys/approver.asc: expected one armored secret key (-----BEGIN PGP PRIVATE KEY BLOCK-----)";
    assertThat(scanner.mask(own)).isEqualTo(own);
    assertThat(scanner.mask("the -----BEGIN PRIVATE KEY----- line is missing")).isEqualTo(
        "the -----BEGIN PRIVATE KEY----- line is missing");

    assertThat(scanner.mask("{\"k\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\"}"))
        .isEqualTo("{\"k\": \"-----BEGIN PRIVATE KEY-----****-----END PRIVATE KEY-----\"}");
    assertThat(scanner.mask("-----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEA")).isEqualTo(
        "-----BEGIN RSA PRIVATE KEY-----****");
    assertThat(scanner.mask("-----BEGIN EC PRIVATE KEY-----  \r\nMHcCAQEEI")).isEqualTo(
        "-----BEGIN EC PRIVATE KEY-----****");
  }

  @Test
  void masksBearerTokensAndCloudKeys() {
    SecretFindings f = new SecretFindings();

    String out = scan("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln key AKIAIOSFODNN7EXAMPLE"
        + " aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", f);

    assertThat(out).isEqualTo("Authorization: Bearer **** key **** aws_secret_access_key = ****");
    assertThat(f.byKind()).containsKeys("bearer token", "AWS access key", "AWS secret key");
  }

  @Test
  void masksTheExactValuesOfSecretEnvironmentVariables() {
    SecretScanner fromEnv = SecretScanner.forEnvironment(Map.of(
        "PGPASSWORD", "s3cr3t-env-value",
        "GPG_PASSPHRASE", "correct horse battery",
        "DEPLOY_KEY", "dk-0011",
        "PATH", "/usr/bin:/bin",
        "SHORT_TOKEN", "abc"), null);
    SecretFindings f = new SecretFindings();

    String out = fromEnv.scan("the value s3cr3t-env-value and correct horse battery; dk-0011 on /usr/bin:/bin abc", f);

    assertThat(out).isEqualTo("the value **** and ****; **** on /usr/bin:/bin abc");
    assertThat(f.byKind()).containsOnlyKeys("value of PGPASSWORD", "value of GPG_PASSPHRASE", "value of DEPLOY_KEY");
  }

  @Test
  void theFileNamesInPgpassfileAndPgsslkeyAreNotSecrets() {
    SecretScanner fromEnv = SecretScanner.forEnvironment(Map.of(
        "PGPASSFILE", "/srv/deploy/pgpass", "PGSSLKEY", "/srv/deploy/client.key", "PGPASSWORD", "pw-beside-91"), null);
    SecretFindings f = new SecretFindings();

    String out = fromEnv.scan("password file \"/srv/deploy/pgpass\" has group or world access; key /srv/deploy/client.key; "
        + "pw-beside-91", f);

    assertThat(out).isEqualTo("password file \"/srv/deploy/pgpass\" has group or world access; key /srv/deploy/client.key; ****");
    assertThat(f.byKind()).containsOnlyKeys("value of PGPASSWORD");
  }

  @Test
  void masksExplicitlyGivenSecrets() {
    SecretScanner withSecret = scanner.withSecret("backup key passphrase", "pass phrase 42");

    assertThat(withSecret.mask("gpg said: bad passphrase 'pass phrase 42'")).isEqualTo("gpg said: bad passphrase '****'");
    assertThat(scanner.withSecret("too short", "ab")).as("short values would mask ordinary words").isSameAs(scanner);
  }

  @Test
  void scanningMaskedTextFindsNothingMore() {
    String once = scanner.mask("postgresql://u:pw12@h PGPASSWORD=x1y2 password=abc1 https://h/?token=t1t2");
    SecretFindings again = new SecretFindings();

    assertThat(scan(once, again)).isEqualTo(once);
    assertThat(again.isEmpty()).as("already masked: %s", again).isTrue();
  }

  @Test
  void leavesOrdinaryReportTextAlone() {
    String text = "FATAL: password authentication failed for user \"deploy\"; secrets_recorded: none;"
        + " sha256 5b0e3c1d9a7f4e2b8c6d0a1f3e5b7c9d2a4f6e8b0c1d3e5f7a9b2c4d6e8f0a1b;"
        + " signer 3A1F9C2E7B4D6058A1B2C3D4E5F60718293A4B5C; select count(*) from t where key = 1";
    SecretFindings f = new SecretFindings();

    assertThat(scan(text, f)).isEqualTo(text);
    assertThat(f.summary()).isEqualTo("none");
  }

  @Test
  void showsHomeDirectoriesWithATilde() {
    SecretScanner home = SecretScanner.forEnvironment(Map.of(), "/home/operator/");

    assertThat(home.mask("dump at /home/operator/backups/x.dump and /home/operator"))
        .isEqualTo("dump at ~/backups/x.dump and ~");
    assertThat(home.mask("other user's /home/alice/keys/k.asc")).isEqualTo("other user's ~alice/keys/k.asc");
    assertThat(home.mask("/home/operatorx/y and https://h.example/home/operator/z"))
        .as("a longer name and a URL path are not the home directory")
        .isEqualTo("~operatorx/y and https://h.example/home/operator/z");
  }

  @Test
  void masksSqlPasswordLiteralsKeepingTheQuotes() {
    SecretFindings f = new SecretFindings();

    String out = scan("CREATE ROLE app LOGIN PASSWORD 'Sql-Pw-1'; alter role app with encrypted password 'it''s-2';"
        + " ALTER ROLE app PASSWORD E'esc-3'; alter user app password $q$dollar-4$q$; ALTER ROLE app PASSWORD NULL", f);

    assertThat(out).isEqualTo("CREATE ROLE app LOGIN PASSWORD '****'; alter role app with encrypted password '****';"
        + " ALTER ROLE app PASSWORD E'****'; alter user app password $q$****$q$; ALTER ROLE app PASSWORD NULL");
    assertThat(f.byKind()).containsEntry("SQL password", 4);
  }

  @Test
  void masksValuesOfJsonAndYamlKeysNamedLikeSecrets() {
    String json = scanner.mask("{\"user\": \"deploy\", \"password\": \"json-pw-1\", \"api_key\": \"k-22\","
        + " \"private_key\": \"pk-333\", \"db.secret\": \"s-4444\", \"auth_token\":\"t-5\"}");
    String yaml = scanner.mask("user: deploy\npasswd: yaml-pw-2\nclient_secret: 'cs-33'\nsecrets_recorded: none\n");

    assertThat(json).isEqualTo("{\"user\": \"deploy\", \"password\": \"****\", \"api_key\": \"****\","
        + " \"private_key\": \"****\", \"db.secret\": \"****\", \"auth_token\":\"****\"}");
    assertThat(yaml).isEqualTo("user: deploy\npasswd: ****\nclient_secret: ****\nsecrets_recorded: none\n");
  }

  @Test
  void masksSslpasswordInConninfoAndUris() {
    assertThat(scanner.mask("host=db sslkey=/k sslpassword=key-pass-9 sslmode=verify-full"))
        .isEqualTo("host=db sslkey=/k sslpassword=**** sslmode=verify-full");
    assertThat(scanner.mask("postgresql://db/app?sslmode=require&sslpassword=key-pass-9"))
        .isEqualTo("postgresql://db/app?sslmode=require&sslpassword=****");
  }

  @Test
  void masksUserinfoOfAnyUrlScheme() {
    assertThat(scanner.mask("amqp://bus:amqp-pw-1@mq:5672/ redis://:redis-pw-2@cache:6379 mongodb+srv://u:m-pw-3@c.example/db"))
        .isEqualTo("amqp://bus:****@mq:5672/ redis://:****@cache:6379 mongodb+srv://u:****@c.example/db");
  }

  @Test
  void masksSecretVariablesNamedPassOrKey() {
    assertThat(scanner.mask("DB_PASS=dbpass-1 MYSQL_PASSWD=m-2 DEPLOY_KEY=dk-3 VAULT_TOKEN=vt-4 MY_SECRET_X=s-5"))
        .isEqualTo("DB_PASS=**** MYSQL_PASSWD=**** DEPLOY_KEY=**** VAULT_TOKEN=**** MY_SECRET_X=****");
  }

  @Test
  void masksTheValuesOfEnvironmentVariablesNamedPassTokenKeyOrSecret() {
    SecretScanner fromEnv = SecretScanner.forEnvironment(Map.of(
        "DB_PASS", "env-db-pass-1", "CI_TOKEN", "env-ci-token-2", "SIGNING_KEY", "env-signing-3",
        "MY_SECRET_THING", "env-secret-4", "PWD", "/srv/work", "FEATURE_KEY_ENABLED", "true"), null);

    String out = fromEnv.mask("env-db-pass-1 env-ci-token-2 env-signing-3 env-secret-4 in /srv/work: true");

    assertThat(out).isEqualTo("**** **** **** **** in /srv/work: true");
  }

  @Test
  void masksAKnownSecretInOtherCaseUrlEncodedAndBase64() {
    String secret = "Known Secret/99+x";
    SecretScanner s = scanner.withSecret("apply_role password", secret);
    String base64 = java.util.Base64.getEncoder().encodeToString(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String basic = java.util.Base64.getEncoder()
        .encodeToString(("apply:" + secret).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String urlEncoded = java.net.URLEncoder.encode(secret, java.nio.charset.StandardCharsets.UTF_8);

    String out = s.mask("upper " + secret.toUpperCase(java.util.Locale.ROOT) + " b64 " + base64 + " basic " + basic
        + " url " + urlEncoded + " pct " + urlEncoded.replace("+", "%20"));

    assertThat(out).doesNotContain(secret.toUpperCase(java.util.Locale.ROOT)).doesNotContain(base64)
        .doesNotContain(urlEncoded).doesNotContain(urlEncoded.replace("+", "%20"));
    for (int shift = 0; shift < 3; shift++) {
      byte[] bytes = (("x".repeat(shift)) + secret).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      String embedded = java.util.Base64.getEncoder().encodeToString(bytes);
      assertThat(s.mask("blob " + embedded)).as("base64 at alignment %d", shift).contains("****")
          .doesNotContain(embedded.substring(4, embedded.length() - 4));
    }
    assertThat(out).as("the basic credentials, a longer base64 text").doesNotContain(basic);
  }
}
