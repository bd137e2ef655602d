package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.exec.Journal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cutter init}: the journal schema and table, and grants for the apply roles. */
@Command(name = "init", mixinStandardHelpOptions = true,
    description = "One-time, as an admin: create schema cutter and its journal table; grant the apply roles "
        + "USAGE on the schema, SELECT/INSERT on the journal and UPDATE of its verdict columns. Idempotent.")
final class InitCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Option(names = "--grant", paramLabel = "ROLE", description = "An apply role to grant journal access (repeatable).")
  List<String> grants = new ArrayList<>();

  @Override
  public Integer call() {
    ConnectionSpec target = connection.resolve();
    try (Connection c = Connections.open(target, "cutter init")) {
      Journal.init(c, grants);
    } catch (SQLException e) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, "init on " + target.display() + " failed: " + DbErrors.oneLine(e), e);
    } catch (IllegalArgumentException e) {
      throw CutterException.invalid("--grant: " + e.getMessage());
    }
    spec.commandLine().getOut().println("journal " + Journal.QUALIFIED + " ready on " + target.display()
        + (grants.isEmpty() ? "" : "; granted to " + String.join(", ", grants)));
    return ExitCodes.OK;
  }
}
