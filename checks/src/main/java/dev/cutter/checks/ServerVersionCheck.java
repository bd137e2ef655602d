package dev.cutter.checks;

import dev.cutter.core.check.Problems;
import dev.cutter.core.model.YamlFields;
import dev.cutter.core.model.YamlValue;
import java.util.Optional;

/** {@code server_version: 16}: the server's major version is exactly this one. */
public final class ServerVersionCheck extends BuiltInCheck<String> {

  public static final String NAME = "server_version";

  public ServerVersionCheck() {
    super(NAME, ServerVersionCheck::read);
  }

  /** The required major version, when {@code args} is one. */
  public static Optional<String> read(YamlValue args, Problems problems) {
    return new YamlFields(problems).majorVersion(args, problems.context());
  }
}
