package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.integrity.TrustPolicy;
import dev.cutter.core.via.PgDumpVia;
import java.util.Optional;
import java.util.OptionalInt;
import picocli.CommandLine.Option;

/**
 * {@code --pg-dump-via PREFIX [--pg-dump-host H] [--pg-dump-port P]}: run pg_dump and pg_restore
 * through the operator's command prefix, where the server lives. The command line wins over the
 * trust policy's {@code pg_dump_via}, and the three settings are taken together from one place.
 */
final class PgDumpViaOptions {

  @Option(names = "--pg-dump-via", paramLabel = "PREFIX",
      description = "Run pg_dump and pg_restore (and their --version) through this command prefix, e.g. "
          + "\"docker exec -i -e PGPASSWORD CONTAINER\": one line, split into words as a shell would, without a shell "
          + "(quote with '...'); the password reaches the prefix in its environment, by name only. "
          + "Default: the trust policy's pg_dump_via, else none.")
  String prefix;

  @Option(names = "--pg-dump-host", paramLabel = "HOST",
      description = "With --pg-dump-via: the host or socket directory pg_dump connects to from inside the prefix "
          + "(default: the target's host).")
  String host;

  @Option(names = "--pg-dump-port", paramLabel = "PORT",
      description = "With --pg-dump-via: the port pg_dump connects to from inside the prefix (default: the target's port).")
  Integer port;

  /**
   * The prefix in force: the command line's, else the policy's, else none. Invalid (exit 2, one
   * line): an unsplittable prefix, a host or port without a prefix, and a pg_dump endpoint the
   * policy's {@code tls: verify-full} would refuse.
   */
  Optional<PgDumpVia> resolve(Optional<TrustPolicy> policy, ConnectionSpec backupConn) {
    Optional<PgDumpVia> via;
    if (prefix != null) {
      via = Optional.of(parse());
    } else if (host != null || port != null) {
      throw CutterException.invalid((host != null ? "--pg-dump-host" : "--pg-dump-port")
          + " needs --pg-dump-via: it says where pg_dump run through the prefix connects");
    } else {
      via = policy.flatMap(TrustPolicy::pgDumpVia);
    }
    if (via.isPresent() && policy.isPresent()) {
      PgDumpVia v = via.get();
      ConnectionSpec endpoint = new ConnectionSpec(v.host().orElse(backupConn.host()),
          v.port().isPresent() ? v.port().getAsInt() : backupConn.port(), backupConn.database(), backupConn.user(),
          Optional.empty(), backupConn.tls(), backupConn.connectTimeoutSeconds());
      policy.get().tlsRefusal(endpoint).ifPresent(r -> {
        throw CutterException.invalid("pg_dump through " + v.display() + " (from " + v.source() + "): " + r.message());
      });
    }
    return via;
  }

  private PgDumpVia parse() {
    try {
      PgDumpVia.split(prefix);
    } catch (PgDumpVia.Invalid e) {
      throw CutterException.invalid("--pg-dump-via: " + e.getMessage());
    }
    if (host != null) {
      try {
        PgDumpVia.checkHost(host);
      } catch (PgDumpVia.Invalid e) {
        throw CutterException.invalid("--pg-dump-host: " + e.getMessage());
      }
    }
    if (port != null) {
      try {
        PgDumpVia.checkPort(port);
      } catch (PgDumpVia.Invalid e) {
        throw CutterException.invalid("--pg-dump-port: " + e.getMessage());
      }
    }
    return new PgDumpVia(PgDumpVia.split(prefix), Optional.ofNullable(host),
        port == null ? OptionalInt.empty() : OptionalInt.of(port), "--pg-dump-via");
  }
}
