package dev.cutter.core.check;

import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplyPackage;
import java.sql.Connection;
import java.util.List;

/**
 * What a running check may use: a connection to the target already in a READ ONLY transaction
 * (rolled back after the check), the package, the artifact's statements as the executor will
 * send them, and the target's roles. The result helpers stamp the check's id.
 */
public final class CheckContext {

  private final String id;
  private final Connection connection;
  private final ApplyPackage pkg;
  private final List<ExecStatement> statements;
  private final TargetAccess target;

  public CheckContext(String id, Connection connection, ApplyPackage pkg, List<ExecStatement> statements,
      TargetAccess target) {
    this.id = id;
    this.connection = connection;
    this.pkg = pkg;
    this.statements = List.copyOf(statements);
    this.target = target;
  }

  /** The id the result carries: {@code identity}, {@code privilege#3}, … */
  public String id() {
    return id;
  }

  /** The target, in a READ ONLY transaction. */
  public Connection connection() {
    return connection;
  }

  public ApplyPackage pkg() {
    return pkg;
  }

  /** The artifact's statements, in order, as apply will send them. */
  public List<ExecStatement> statements() {
    return statements;
  }

  /** The role the artifact runs as. */
  public String applyRole() {
    return pkg.target().applyRole();
  }

  /** Connections beyond the read-only one; only rehearsal uses them. */
  public TargetAccess target() {
    return target;
  }

  public CheckResult pass(String expected, String actual, String message) {
    return CheckResult.pass(id, expected, actual, message);
  }

  public CheckResult fail(String expected, String actual, String message) {
    return CheckResult.fail(id, expected, actual, message);
  }

  /** PASS when {@code held}, else FAIL, with the same texts. */
  public CheckResult result(boolean held, String expected, String actual, String message) {
    return held ? pass(expected, actual, message) : fail(expected, actual, message);
  }

  public CheckResult error(String message) {
    return CheckResult.error(id, message);
  }

  public CheckResult skipped(String reason) {
    return CheckResult.skipped(id, reason);
  }
}
