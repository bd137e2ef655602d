package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dry-run measures three lock plans: P1's rehearse, its apply in the sandbox (with the locks
 * apply's re-check takes at BEGIN) and its rollback rehearsal; the report carries all three.
 */
class DryRunLockPlanTest {

  @TempDir Path tmp;

  private static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theReportCarriesTheRehearsalTheApplyAndTheRollbackRehearsal() throws Exception {
    Path pkg = tmp.resolve("pkg");
    Files.createDirectories(pkg.resolve("ddl"));
    Files.createDirectories(pkg.resolve("sandbox"));
    String change = "-- add a column\n\ncreate index orders_n on public.orders (n);\nalter table public.orders add column c int;\n";
    String back = "alter table public.orders drop column c;\ndrop index public.orders_n;\n";
    Files.writeString(pkg.resolve("ddl/change.sql"), change);
    Files.writeString(pkg.resolve("ddl/rollback.sql"), back);
    Files.writeString(pkg.resolve("sandbox/setup.sql"), """
        create role app_apply;
        grant create on schema public to app_apply;
        create table public.orders (id int primary key, n int);
        insert into public.orders select g, g from generate_series(1, 100) g;
        alter table public.orders owner to app_apply;
        """);
    Files.writeString(pkg.resolve("package.yaml"), """
        apiVersion: cutter/v1
        kind: ApplyPackage
        id: lock-plan-dry-run
        title: A change whose locks the dry-run measures
        authorization:
          ref: TEST-12
          expires_at: 2099-01-01T00:00:00Z
          risk: low
        target:
          database: sbx
          system_identifier: "7611578671664259111"
          apply_role: app_apply
        artifact:
          path: ddl/change.sql
          sha256: %s
        preflight:
          - rehearse: true
        rollback:
          artifact: { path: ddl/rollback.sql, sha256: %s }
          precondition: none
        sandbox:
          setup: [ sandbox/setup.sql ]
        lint:
          allow: [ index-not-concurrent ]   # the lock it takes is what this test measures
        """.formatted(sha256(change), sha256(back)));

    Cli r = Cli.run("dry-run", pkg.toString(), "--report-dir", tmp.resolve("reports").toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();

    Path yaml;
    try (Stream<Path> files = Files.walk(tmp.resolve("reports"))) {
      yaml = files.filter(p -> p.toString().endsWith(".yaml")).findFirst().orElseThrow();
    }
    JsonNode plans = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile()).get("lock_plan");
    assertThat(plans).hasSize(3);
    assertThat(List.of(plans.get(0).get("source").asText(), plans.get(1).get("source").asText(),
        plans.get(2).get("source").asText())).containsExactly("rehearse", "dry_run", "rollback_rehearsal");

    JsonNode rehearse = plans.get(0).get("summary");
    assertThat(rehearse).hasSize(1);
    assertThat(rehearse.get(0).get("relation").asText()).isEqualTo("public.orders");
    assertThat(rehearse.get(0).get("strongest").asText()).isEqualTo("AccessExclusiveLock");
    assertThat(rehearse.get(0).get("taken_at").asInt()).isEqualTo(2);
    assertThat(rehearse.get(0).get("line").asInt()).isEqualTo(4);
    assertThat(rehearse.get(0).get("held_statements").asInt()).isEqualTo(1);
    assertThat(plans.get(0).get("per_statement").get(0).get("locks").toString())
        .as("CREATE INDEX: ShareLock on the table").contains("\"mode\":\"ShareLock\"");

    JsonNode apply = plans.get(1).get("summary").get(0);
    assertThat(apply.get("relation").asText()).isEqualTo("public.orders");
    assertThat(apply.get("strongest").asText()).isEqualTo("AccessExclusiveLock");
    assertThat(apply.get("taken_at").asInt()).as("apply's re-check takes it at BEGIN").isZero();
    assertThat(apply.get("held_statements").asInt()).isEqualTo(2);

    JsonNode rollback = plans.get(2);
    assertThat(rollback.get("file").asText()).isEqualTo("ddl/rollback.sql");
    assertThat(rollback.get("summary").toString()).contains("\"relation\":\"public.orders\"")
        .contains("\"relation\":\"public.orders_n\"");
    assertThat(rollback.get("complete").asBoolean()).isTrue();
  }

}
