package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.exec.Journal;
import java.io.PrintWriter;
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

/**
 * {@code cutter init}: the journal schema, table and functions, and grants for the apply roles;
 * upgrades a journal made by an older version in place.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
    description = "One-time, as an admin (the journal's owner): create schema cutter, its journal table and the "
        + "functions runs record through (record_commit, finish_run); grant the apply roles USAGE on the schema, "
        + "SELECT on the journal and EXECUTE on the functions; let the readers (a backup role) read the journal; revoke every direct write on the journal. Idempotent; "
        + "upgrades an existing journal in place.")
final class InitCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Option(names = "--grant", paramLabel = "ROLE",
      description = "An apply role that records its runs in the journal (repeatable); refused when it owns the journal.")
  List<String> grants = new ArrayList<>();

  @Option(names = "--reader", paramLabel = "ROLE",
      description = "A role that reads the journal, such as a backup role (repeatable): USAGE on schema cutter, SELECT on "
          + "cutter.journal and on its id sequence; nothing else.")
  List<String> readers = new ArrayList<>();

  @Override
  public Integer call() {
    ConnectionSpec target = connection.resolve();
    Journal.InitResult done;
    try (Connection c = Connections.open(target, "cutter init")) {
      done = Journal.init(c, grants, readers);
    } catch (SQLException e) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, "init on " + target.display() + " failed: " + DbErrors.oneLine(e), e);
    } catch (IllegalArgumentException e) {
      throw CutterException.invalid("--grant/--reader: " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("journal " + Journal.QUALIFIED + " ready on " + target.display()
        + (grants.isEmpty() ? "" : "; granted to " + String.join(", ", grants))
        + (readers.isEmpty() ? "" : "; readable by " + String.join(", ", readers)));
    if (!done.revokedFrom().isEmpty()) {
      out.println("revoked direct writes on " + Journal.QUALIFIED + " from " + String.join(", ", done.revokedFrom()));
    }
    if (!done.uniquePerPackage()) {
      out.println("note: some package has several journal rows from older runs, so no unique index on package_sha256;"
          + " record_commit still refuses a package that has a row");
    }
    return ExitCodes.OK;
  }
}
