package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.PackageLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code package verify}'s streaming judge ({@link PackageSqlCheck}) and apply's
 * ({@link PackageScripts#of}) refuse exactly the same packages with exactly the same
 * diagnostics, for a corpus of refused and accepted scripts in both modes, as change, rollback
 * and online artifacts.
 */
public class PackageSqlCheckTest {

  @TempDir Path dir;

  /** Scripts apply accepts or refuses for every reason the splitter and the artifact rules know. */
  public static final List<String> CORPUS = List.of(
      "create table app.t (id int primary key);\n",
      "create table app.t (id int);\ncreate index concurrently t_id on app.t (id);\n",
      "begin;\ncreate table app.t (id int);\ncommit;\n",
      "BEGIN;\ncreate index concurrently t_id on app.t (id);\nCOMMIT;\n",
      "begin;\ncommit;\n",
      "begin;\n",
      "create table app.t (id int);\ncommit;\n",
      "savepoint s;\nrelease s;\n",
      "start transaction;\ncreate table app.t (id int);\nend;\n",
      "\\set ON_ERROR_STOP on\ncreate table app.t (id int);\n",
      "create table app.t (id int);\n\\i more.sql\n",
      "select 1;\n\\g\n",
      "select 1 \\gset\n",
      "copy app.t from stdin;\n1\n2\n\\.\ncreate table app.u (id int);\n",
      "copy app.t to stdout;\n",
      "copy app.t from program 'id';\ncopy app.t from stdin with (format binary);\n\\.\n",
      "copy app.t from stdin \\; select 1;\n1\n\\.\n",
      "\\restrict k1\ncopy app.t from stdin;\r\n1\r\n\\.\r\n\\unrestrict k1\n",
      "copy app.t from stdin; select 'a\nit's\n\\.\nb'; copy app.t from stdin;\n2\n",
      "copy app.t from stdin; copy app.t from stdin;\n1\n\\.\nvacuum app.t;\n\\.\n",
      "\\restrict k1\nbegin;\ncopy app.t from stdin;\n1\n\\.\ncommit;\n\\unrestrict k1\n",
      "vacuum app.t;\nreindex table concurrently app.t;\n",
      "create database other;\nalter system set work_mem = '8MB';\n",
      "drop index concurrently app.t_id;\n",
      "alter type app.e add value 'x';\n",
      "select 'unterminated\n",
      "/* unterminated\nselect 1;\n",
      "select $$ never closed\n",
      "select :DBNAME;\n",
      "create function app.f() returns int begin atomic select 1; end;\ncreate index concurrently i on app.t (id);\n",
      "\uFEFFcreate index concurrently i on app.t (id);\n",
      "  -- only a comment\n;\n",
      "",
      "select 'a;b' ; select \"x;y\" from t; -- ; \n/* ; */ select 1\n",
      "create index concurrently i on app.t (id) \\; vacuum app.t;\n",
      "set standard_conforming_strings = off;\nselect 'a\\'; create index concurrently i on t (x);';\n",
      "analyze app.t;\nalter table app.t validate constraint c;\n");

  @Test
  void theStreamingJudgeAndTheApplyPathRefuseTheSameWithTheSameMessages() throws IOException {
    int refused = 0;
    int accepted = 0;
    for (String mode : List.of("transaction", "autocommit")) {
      for (int i = 0; i < CORPUS.size(); i++) {
        String script = CORPUS.get(i);
        String other = CORPUS.get((i + 7) % CORPUS.size());
        ApplyPackage pkg = write("p-" + mode + "-" + i, mode, script.getBytes(StandardCharsets.UTF_8),
            other.getBytes(StandardCharsets.UTF_8), script.getBytes(StandardCharsets.UTF_8));
        List<Diagnostic> applyPath = refusals(() -> PackageScripts.of(pkg));
        List<Diagnostic> streamed = refusals(() -> PackageSqlCheck.check(pkg));
        assertThat(streamed).as(mode + " #" + i + ": " + script).isEqualTo(applyPath);
        if (applyPath.isEmpty()) {
          accepted++;
        } else {
          refused++;
        }
      }
    }
    // the corpus exercises both outcomes
    assertThat(refused).isGreaterThan(20);
    assertThat(accepted).isGreaterThan(0);
  }

  @Test
  void agreesOnChangeArtifactsAloneIncludingAcceptedOnes() throws IOException {
    int accepted = 0;
    for (String mode : List.of("transaction", "autocommit")) {
      for (int i = 0; i < CORPUS.size(); i++) {
        ApplyPackage pkg = write("c-" + mode + "-" + i, mode, CORPUS.get(i).getBytes(StandardCharsets.UTF_8), null, null);
        List<Diagnostic> applyPath = refusals(() -> PackageScripts.of(pkg));
        assertThat(refusals(() -> PackageSqlCheck.check(pkg))).as(mode + " #" + i).isEqualTo(applyPath);
        accepted += applyPath.isEmpty() ? 1 : 0;
      }
    }
    assertThat(accepted).isGreaterThanOrEqualTo(8);
  }

  @Test
  void refusesTextThatIsNotUtf8AsTheApplyPathDoes() throws IOException {
    ApplyPackage pkg = write("bad", "transaction", new byte[] {'s', 'e', 'l', (byte) 0xff, ';', '\n'}, null, null);
    List<Diagnostic> streamed = refusals(() -> PackageSqlCheck.check(pkg));
    assertThat(streamed).containsExactly(new Diagnostic("ddl/change.sql", 0, 0, "not valid UTF-8 text"));
    assertThat(refusals(() -> PackageScripts.of(pkg))).isEqualTo(streamed);
  }

  @Test
  void namesTheLineOfAConcurrentIndexInTransactionModeAndOfAMetaCommand() throws IOException {
    ApplyPackage pkg = write("named", "transaction",
        "create table app.t (id int);\n\\set x 1\n\ncreate index concurrently t_id on app.t (id);\n"
            .getBytes(StandardCharsets.UTF_8), null, null);
    assertThat(refusals(() -> PackageSqlCheck.check(pkg))).extracting(Diagnostic::toString).containsExactly(
        "ddl/change.sql:2:1: psql meta-command \\set cannot run over a database connection; remove it (only plain SQL is sent)",
        "ddl/change.sql:4:1: `create index concurrently t_id …` cannot run inside a transaction block (SQLSTATE 25001);"
            + " put it in the online: step (an index built, dropped or rebuilt CONCURRENTLY) or in a package with mode: autocommit");
  }

  private interface Judging {
    void run();
  }

  private static List<Diagnostic> refusals(Judging judging) {
    try {
      judging.run();
      return List.of();
    } catch (InvalidInputException e) {
      return e.diagnostics();
    }
  }

  /** A package with the change (and, when given, a rollback and an online artifact), every sha256 pinned. */
  private ApplyPackage write(String name, String mode, byte[] change, byte[] rollback, byte[] online) throws IOException {
    Path pkg = Files.createDirectories(dir.resolve(name).resolve("ddl")).getParent();
    Files.write(pkg.resolve("ddl/change.sql"), change);
    StringBuilder yaml = new StringBuilder("""
        apiVersion: cutter/v1
        kind: ApplyPackage
        id: judge-agreement
        title: Judge agreement
        authorization:
          ref: TEST-1
          expires_at: 2099-01-01T00:00:00Z
          risk: low
        target:
          database: app
          system_identifier: "7611578671664259111"
          apply_role: app_owner
        apply:
          mode: %s
        artifact:
          path: ddl/change.sql
          sha256: %s
        """.formatted(mode, sha256(change)));
    if (rollback != null) {
      Files.write(pkg.resolve("ddl/rollback.sql"), rollback);
      yaml.append("rollback:\n  artifact: { path: ddl/rollback.sql, sha256: ").append(sha256(rollback))
          .append(" }\n  precondition: none\n");
    }
    if (online != null) {
      Files.write(pkg.resolve("ddl/online.sql"), online);
      yaml.append("online:\n  path: ddl/online.sql\n  sha256: ").append(sha256(online)).append('\n');
    }
    Files.writeString(pkg.resolve("package.yaml"), yaml);
    return PackageLoader.withInstalledChecks().load(pkg);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
