package dev.cutter.checks;

/**
 * {@code objects_absent: { schema, tables: [...], ... }}: none of the listed objects exists
 * (the change has not landed and nothing is in its way).
 */
public final class ObjectsAbsentCheck extends ObjectListCheck {

  public static final String NAME = "objects_absent";

  public ObjectsAbsentCheck() {
    super(NAME, false);
  }
}
