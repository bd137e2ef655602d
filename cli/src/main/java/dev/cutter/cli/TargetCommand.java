package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.catalog.Identity;
import dev.cutter.core.catalog.IdentityReader;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.scaffold.TargetBlock;
import dev.cutter.core.text.YamlText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cutter target}: what a package must pin about the server it reaches, as package YAML. */
@Command(name = "target", mixinStandardHelpOptions = true,
    description = "Print the target: section a package needs for the server --target reaches (database, "
        + "system_identifier, server_version, apply_role as the current role), with the session's roles and TLS "
        + "state as comments. Reads only.")
final class TargetCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection;

  /**
   * What the session found, read in one read-only transaction; {@code socketFile} is the Unix socket
   * it came through (where libpq uses no TLS whatever sslmode says), empty over TCP.
   */
  record Found(Identity identity, String currentUser, String sessionUser, TlsState tls, Optional<Path> socketFile) {}

  @Override
  public Integer call() {
    ConnectionSpec target = connection.resolve();
    Found found = read(target);
    PrintWriter out = spec.commandLine().getOut();
    out.print(yaml(found));
    out.flush();
    return ExitCodes.OK;
  }

  static Found read(ConnectionSpec target) {
    try (Connection c = Connections.openReadOnly(target, "cutter target")) {
      Identity identity = IdentityReader.read(c);
      String currentUser;
      String sessionUser;
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select current_user, session_user")) {
        rs.next();
        currentUser = rs.getString(1);
        sessionUser = rs.getString(2);
      }
      TlsState tls = Connections.tlsState(c, target);
      c.rollback();
      return new Found(identity, currentUser, sessionUser, tls, target.socketFile());
    } catch (SQLException e) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, "reading the target on " + target.display() + " failed: "
          + DbErrors.oneLine(e), e);
    }
  }

  /** The {@code target:} block, ready to paste into package.yaml, with what else was seen as comments. */
  static String yaml(Found f) {
    Identity id = f.identity();
    TlsState tls = f.tls();
    String tlsText = f.socketFile().isPresent()
        ? "not used: connected through the Unix socket " + f.socketFile().get() + ", where TLS is never used whatever"
            + " sslmode says"
        : !tls.encrypted() ? "not encrypted (sslmode " + tls.sslmode() + ")"
        : tls.protocol() + ", " + (tls.verified() ? "server certificate verified" : "server certificate NOT verified")
            + " (sslmode " + tls.sslmode() + ")";
    return TargetBlock.text(id, f.currentUser(), "the role the change runs as: name the one it must run as")
        + "# " + YamlText.comment("connected as session_user " + YamlText.scalar(f.sessionUser()) + ", current_user "
            + YamlText.scalar(f.currentUser()) + "; TLS: " + tlsText) + "\n";
  }
}
