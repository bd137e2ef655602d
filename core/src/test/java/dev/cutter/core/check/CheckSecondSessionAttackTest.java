package dev.cutter.core.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.fixtures.PrivateCluster;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A check's own session is READ ONLY, but a function it calls may open another session that is
 * not: {@code dblink_exec} (the contrib extension, where a database has it) logs in again with a
 * password the check text or a view apply_role planted carries (apply_role may set its own), and
 * that session commits a write cutter never sees: the check's transaction still has no id and is
 * still read-only afterwards. The server lets a role that is not a superuser do this only where it
 * asks for a password, as here. So package SQL is not run while apply_role may execute dblink's
 * functions that open a session.
 */
class CheckSecondSessionAttackTest {

  @Test

  void aCheckCannotWriteThroughASecondSessionItOpensWithDblink() throws Exception {
    try (PrivateCluster pc = PrivateCluster.startOrSkip(new PrivateCluster.Options("localhost", 0, false, List.of(
        "local all postgres trust", "local all all scram-sha-256", "host all postgres 127.0.0.1/32 trust",
        "host all all 127.0.0.1/32 scram-sha-256")))) {
      pc.psql("postgres", "create extension dblink; create role app login password 'apply-secret';"
          + " create schema app authorization app; create table app.t(x int); alter table app.t owner to app");
      TargetAccess access = new TargetAccess(new ConnectionSpec("localhost", pc.port(), "postgres", "postgres",
          Optional.empty()), (spec, role) -> Optional.of(new ConnectionSpec.Secret("apply-secret")));
      String check = "select public.dblink_exec('host=localhost port=" + pc.port() + " dbname=postgres user=app"
          + " password=apply-secret', 'insert into app.t values (1)') is not null";
      Throwable refused;
      try (PackageQueries q = new PackageQueries(access, "app", "test")) {
        refused = org.assertj.core.api.Assertions.catchThrowable(() -> q.run(check, rs -> rs.next() ? rs.getString(1) : null));
      }

      assertThat(pc.psql("postgres", "select count(*) from app.t")).as("a read-only check wrote").isEqualTo("0");
      assertThat(refused).isInstanceOf(dev.cutter.core.CutterException.class);
      assertThat(((dev.cutter.core.CutterException) refused).typedCause())
          .isEqualTo(new dev.cutter.core.cause.Cause.CheckCanOpenSessions("app", "public.dblink(text)"));

      // once the target revokes it, the check runs, and dblink can no longer be called
      pc.psql("postgres", "revoke execute on all functions in schema public from public");
      try (PackageQueries q = new PackageQueries(access, "app", "test")) {
        String one = q.run("select 1", rs -> rs.next() ? rs.getString(1) : null);
        assertThat(one).isEqualTo("1");
      }
    }
  }
}
