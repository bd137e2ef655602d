package dev.cutter.core.sql;

/** Which statements cannot run user code through a trigger, by their leading command's tokens. */
public final class TriggerFree {

  private TriggerFree() {}

  /**
   * True when {@code text}'s leading command fires no row, statement or constraint trigger, runs
   * no query and cannot create or enable an event trigger: {@code CREATE} (not {@code CREATE …
   * TABLE … AS}, {@code CREATE MATERIALIZED VIEW}, {@code CREATE EXTENSION}, {@code CREATE EVENT
   * TRIGGER}), {@code ALTER} (not {@code ALTER EXTENSION}, {@code ALTER EVENT TRIGGER}), {@code
   * DROP}, {@code COMMENT}, {@code GRANT}, {@code REVOKE}, {@code SET} (not {@code SET
   * CONSTRAINTS}) and {@code RESET}. Event triggers are not considered: DDL fires them.
   */
  public static boolean command(String text) {
    return StatementClassifier.firesNoTrigger(text);
  }
}
