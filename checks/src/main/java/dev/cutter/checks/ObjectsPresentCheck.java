package dev.cutter.checks;

/** {@code objects_present: { schema, tables: [...], ... }}: every listed object exists (the change landed). */
public final class ObjectsPresentCheck extends ObjectListCheck {

  public static final String NAME = "objects_present";

  public ObjectsPresentCheck() {
    super(NAME, true);
  }
}
