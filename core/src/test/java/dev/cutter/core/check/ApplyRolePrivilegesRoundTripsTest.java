package dev.cutter.core.check;

import static dev.cutter.core.check.TestPackages.createTables;
import static dev.cutter.core.check.TestPackages.login;
import static dev.cutter.core.check.TestPackages.pkg;
import static dev.cutter.core.check.TestPackages.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.check.derived.ApplyRolePrivileges;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The apply_role privilege check asks the catalog about a schema once, however many statements name it. */
@WithPostgres
class ApplyRolePrivilegesRoundTripsTest {

  private record Counted(CheckResult result, int statements) {}

  private static Counted run(TestDatabase db, String apply, List<ExecStatement> script) throws SQLException {
    AtomicInteger made = new AtomicInteger();
    try (Connection real = db.superuser()) {
      Connection counting = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
          new Class<?>[] {Connection.class}, (proxy, m, args) -> {
            if (m.getName().equals("prepareStatement") || m.getName().equals("createStatement")
                || m.getName().equals("prepareCall")) {
              made.incrementAndGet();
            }
            try {
              return m.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      ApplyPackage p = pkg(target(db, apply));
      CheckResult r = ApplyRolePrivileges.run(new CheckContext(ApplyRolePrivileges.ID, counting, p, script,
          new TargetAccess(login(db, apply), (spec, role) -> Optional.empty())));
      return new Counted(r, made.get());
    }
  }

  @Test
  void twelveTablesInOneSchemaCostAsManyQueriesAsOne(TestDatabase db) throws SQLException {
    String apply = db.createRole("app");
    db.createSchema("gov", apply);

    Counted one = run(db, apply, createTables("gov", 1));
    Counted twelve = run(db, apply, createTables("gov", 12));

    assertThat(one.result().status()).isEqualTo(CheckStatus.PASS);
    assertThat(twelve.result().status()).isEqualTo(CheckStatus.PASS);
    assertThat(twelve.result().expected()).isEqualTo("apply_role " + apply + ": USAGE on schema gov (statements 1-12,"
        + " first at line 1); CREATE on schema gov (statements 1-12, first at line 1)");
    assertThat(twelve.statements()).isEqualTo(one.statements());
  }

  @Test
  void aMissingSchemaIsStillNamedForEveryStatement(TestDatabase db) throws SQLException {
    String apply = db.createRole("app");

    Counted r = run(db, apply, createTables("nowhere", 3));

    assertThat(r.result().status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.result().actual()).isEqualTo("missing: schema nowhere to exist (statements 1-3, first at line 1)");
  }
}
