package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cutter apply} through the real command line, in process, against the embedded server. */
@WithPostgres
class ApplyCommandTest {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private Cli apply(Path pkg, TestDatabase db, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("apply", pkg.toString(), "--target", db.uri("postgres"),
        "--trust", approver.trust().toString(), "--report-dir", dir.resolve("reports").toString()));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  private static void init(TestDatabase db, String role) {
    Cli r = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(r.exit()).as(r.err()).isZero();
  }

  @Test
  @Tag("pgdump") // pg_dump of the server under test
  void appliesTheRegistryThenRefusesTheReplayAsAlreadyApplied(TestDatabase db) {
    Approver.setUpExample(db, "registry-12-tables");
    init(db, "gov_owner");
    Path pkg = approver.example("registry-12-tables", dir.resolve("pkg"), db, dir.resolve("backups"));

    Cli first = apply(pkg, db);

    assertThat(first.exit()).as(first.out() + first.err()).isZero();
    assertThat(first.out()).contains("verdict: PASS");
    assertThat(db.queryValue("select count(*) from pg_tables where schemaname = 'governance'")).isEqualTo("13");
    assertThat(db.queryValue("select string_agg(verdict || ':' || (report_sha256 is not null), ',') from cutter.journal"))
        .as("one journal row, finished with the report's digest").isEqualTo("PASS:true");

    Cli replay = apply(pkg, db);

    assertThat(replay.exit()).as(replay.out() + replay.err()).isEqualTo(3);
    assertThat(replay.out()).contains("verdict: BLOCKED").contains("already applied");
    assertThat(db.queryValue("select count(*) from cutter.journal")).as("the replay wrote no row").isEqualTo("1");
  }

  @Test
  void twoAppliesAtOnceOneProceedsTheOtherIsBlockedByTheLock(TestDatabase db) throws Exception {
    String role = db.createRole("app", "CREATEDB");
    db.execute("grant create on schema public to " + role);
    init(db, role);
    Path pkg = approver.write(dir.resolve("slow"), "slow-change", db, role,
        "create table slow_a (id int);\nselect pg_sleep(2);\ncreate table slow_b (id int);\n", "[]", "[]", null);

    Cli[] runs = concurrently(db, () -> apply(pkg, db), () -> apply(pkg, db));

    assertThat(runs[0].exit()).as(runs[0].out() + runs[0].err()).isZero();
    assertThat(runs[1].exit()).as(runs[1].out() + runs[1].err()).isEqualTo(3);
    assertThat(runs[1].out()).containsPattern("(?m)^lock +FAIL +another cutter run holds the target's lock \\(waited ")
        .contains("\nverdict: BLOCKED (exit 3), production changed: no\n");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("1");
  }

  @Test
  void withLockWaitTheSecondRunWaitsThenFindsThePackageApplied(TestDatabase db) throws Exception {
    String role = db.createRole("app");
    db.execute("grant create on schema public to " + role);
    init(db, role);
    Path pkg = approver.write(dir.resolve("slow"), "slow-wait", db, role,
        "create table wait_a (id int);\nselect pg_sleep(2);\n", "[]", "[]", null);

    long t0 = System.nanoTime();
    Cli[] runs = concurrently(db, () -> apply(pkg, db), () -> apply(pkg, db, "--lock-wait", "30s"));
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(runs[0].exit()).as(runs[0].out() + runs[0].err()).isZero();
    assertThat(runs[1].exit()).as(runs[1].out() + runs[1].err()).isEqualTo(3);
    assertThat(runs[1].out()).as("the lock was taken after the wait, then the journal refused")
        .containsPattern("(?m)^lock +FAIL +authorization already consumed: run \\S+ already applied this package ")
        .contains("\nverdict: BLOCKED (exit 3), production changed: no\n");
    assertThat(took).as("the second waited for the first, not 30 s").isLessThan(Duration.ofSeconds(25));
  }

  @Test
  void aTargetUriCarryingAPasswordIsRefusedWithoutEchoingIt(TestDatabase db) {
    String secret = "Uri-Secret-7731";
    Path pkg = approver.write(dir.resolve("p"), "uri-secret", db, "postgres", "select 1;\n", "[]", "[]", null);
    String uri = "postgresql://postgres:" + secret + "@" + db.server().host() + ":" + db.server().port() + "/" + db.name();

    Cli r = Cli.run("apply", pkg.toString(), "--target", uri, "--trust", approver.trust().toString(), "--report-dir",
        dir.resolve("reports").toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("password");
    assertThat(r.out() + r.err()).doesNotContain(secret);
    assertThat(Approver.allFiles(dir)).doesNotContain(secret);
  }

  @Test
  void aSuperuserLoginIsRefusedUnlessTheTrustPolicyAllowsIt(TestDatabase db) throws Exception {
    String role = db.createRole("app", "nologin");
    db.execute("grant create on schema public to " + role);
    init(db, role);
    Path pkg = approver.write(dir.resolve("priv"), "privileged-login", db, role,
        "do $$ begin execute 'reset role'; execute 'create table escaped (id int)'; end $$;\n", "[]", "[]", null);

    Cli refused = apply(pkg, db);
    assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(3);
    assertThat(refused.out()).contains("verdict: BLOCKED").contains("holds what " + role + " lacks (superuser)");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");

    Path allowing = approver.trust().resolveSibling("trust-privileged.yaml");
    java.nio.file.Files.writeString(allowing, java.nio.file.Files.readString(approver.trust())
        + "allow_privileged_login: true\n");
    Cli allowed = Cli.run("apply", pkg.toString(), "--target", db.uri("postgres"), "--trust", allowing.toString(),
        "--report-dir", dir.resolve("reports").toString());
    assertThat(allowed.exit()).as(allowed.out() + allowed.err()).isZero();
    String report = allowed.out().lines().filter(l -> l.startsWith("report: ") && l.endsWith(".yaml")).findFirst()
        .orElseThrow().substring("report: ".length());
    assertThat(java.nio.file.Files.readString(Path.of(report))).contains("privileged_login_allowed: true")
        .contains("role_session: \"logged in as postgres, SET ROLE " + role);
    assertThat(db.queryValue("select pg_get_userbyid(relowner) from pg_class where relname = 'escaped'"))
        .as("what the waiver lets through: the report said so").isEqualTo("postgres");
  }

  /**
   * Starts {@code first}, waits until it holds the run lock on {@code db}, then runs {@code second};
   * returns both results in that order.
   */
  static Cli[] concurrently(TestDatabase db, java.util.function.Supplier<Cli> first,
      java.util.function.Supplier<Cli> second) throws Exception {
    CompletableFuture<Cli> a = CompletableFuture.supplyAsync(first);
    awaitRunLock(db, Duration.ofSeconds(30));
    Cli b = second.get();
    return new Cli[] {a.get(), b};
  }

  /** Polls until some session holds an advisory lock in {@code db}. */
  static void awaitRunLock(TestDatabase db, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      String n = db.queryValue("select count(*) from pg_locks where locktype = 'advisory' and granted "
          + "and database = (select oid from pg_database where datname = current_database())");
      if (!"0".equals(n)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no run took the lock within " + max);
  }
}
