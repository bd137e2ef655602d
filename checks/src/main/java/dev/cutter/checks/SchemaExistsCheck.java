package dev.cutter.checks;

import dev.cutter.core.check.Problems;
import dev.cutter.core.model.YamlFields;
import dev.cutter.core.model.YamlValue;
import java.util.Optional;

/** {@code schema_exists: NAME}: the schema exists. */
public final class SchemaExistsCheck extends BuiltInCheck<String> {

  public static final String NAME = "schema_exists";

  public SchemaExistsCheck() {
    super(NAME, SchemaExistsCheck::read);
  }

  /** The schema name, when {@code args} is one. */
  public static Optional<String> read(YamlValue args, Problems problems) {
    return new YamlFields(problems).identifier(args, problems.context());
  }
}
