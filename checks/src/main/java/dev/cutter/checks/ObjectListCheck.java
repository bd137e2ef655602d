package dev.cutter.checks;

/** The shared shape of {@code objects_absent} and {@code objects_present}: {@link ObjectLists} arguments. */
abstract class ObjectListCheck extends BuiltInCheck<ObjectLists> {

  private final boolean present;

  ObjectListCheck(String name, boolean present) {
    super(name, ObjectLists::read);
    this.present = present;
  }

  /** True when the listed objects must exist, false when they must not. */
  public final boolean expectsPresent() {
    return present;
  }
}
