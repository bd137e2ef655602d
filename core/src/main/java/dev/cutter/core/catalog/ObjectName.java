package dev.cutter.core.catalog;

import java.util.Objects;

/**
 * An object's name as the server would store it: {@code schema} is null when the name was not
 * qualified (it resolves through the search_path); both parts are truncated to 63 bytes.
 */
public record ObjectName(String schema, String name) {
  public ObjectName {
    Objects.requireNonNull(name, "name");
    schema = schema == null ? null : Identifiers.truncate(schema);
    name = Identifiers.truncate(name);
  }

  public static ObjectName unqualified(String name) {
    return new ObjectName(null, name);
  }

  public boolean qualified() {
    return schema != null;
  }

  public ObjectName in(String otherSchema) {
    return new ObjectName(otherSchema, name);
  }

  /** Quoted where needed, as it would be written in SQL. */
  @Override
  public String toString() {
    return Identifiers.qualified(schema, name);
  }
}
