package dev.cutter.core.exec;

import java.sql.SQLException;

/**
 * A refusal cutter makes, not the server: a relation the change creates first (absent at P1 and at
 * BEGIN) is not the change's own. A name cannot be locked, so another session may create it after
 * BEGIN, and the change's {@code CREATE … IF NOT EXISTS} then creates nothing (R41, R43, R46); a
 * schema cannot be locked either, so another session may make one earlier on apply_role's
 * search_path and take the change's unqualified CREATE (R45). Thrown on the apply session right
 * after such a statement or before COMMIT; the change (in autocommit mode: that statement) is
 * rolled back. It carries no SQLSTATE: the server raised no error.
 */
public final class CreatedElsewhere extends SQLException {

  private static final long serialVersionUID = 1L;

  /** Which proof did not hold. */
  public enum Check {
    /** The relation exists and another session wrote its catalog row, not the change's transaction. */
    BY_ANOTHER_SESSION,
    /** The relation, created under an unqualified name, is in another schema than BEGIN saw an unqualified CREATE go to. */
    IN_ANOTHER_SCHEMA,
    /**
     * A schema the artifact's own search_path lists first, where the change's unqualified names were proved
     * (R47), is no longer one apply_role may use (dropped, or USAGE revoked): the server looked further along.
     */
    SCHEMA_NO_LONGER_USABLE,
    /**
     * Before COMMIT (or, in autocommit mode, before the next statement) the session's search_path or role
     * is not the one the artifact's text leaves: something the change ran (a function's {@code set_config})
     * changed it unseen, and names after that may have resolved (or would resolve) elsewhere than P1 proved
     * and BEGIN locked.
     */
    SEARCH_PATH_CHANGED_UNSEEN,
    /**
     * A schema the artifact's own search_path lists first, absent at P1 and BEGIN (the artifact creates it,
     * {@code IF NOT EXISTS}), was made by another session after BEGIN, not by the change.
     */
    SCHEMA_BY_ANOTHER_SESSION,
    /**
     * Before COMMIT the session has a temporary relation named as a relation the artifact names unqualified, which
     * its text does not create temporary: something the change ran (a function's {@code CREATE TEMPORARY TABLE})
     * made it, and the server searches the temporary schema first, so the statements after it wrote there.
     */
    TEMPORARY_TAKES_NAME
  }

  /**
   * What was found: the relation as the change names it; for {@link Check#IN_ANOTHER_SCHEMA} the schema
   * it is in and the one P1 and BEGIN saw an unqualified CREATE go to (null otherwise).
   */
  public record Finding(Check check, String relation, String schema, String expectedSchema) {}

  private final transient Finding finding;

  private CreatedElsewhere(Finding f, String message) {
    super(message);
    this.finding = f;
  }

  /** {@code relation} exists and was created by another session after BEGIN, not by the change. */
  public static CreatedElsewhere byAnotherSession(String relation) {
    return new CreatedElsewhere(new Finding(Check.BY_ANOTHER_SESSION, relation, null, null), "relation " + relation
        + " was created by another session after BEGIN, not by the change: what P1 proved no longer holds");
  }

  /** {@code relation}, created unqualified, is in {@code schema}, not in {@code expected} where P1 and BEGIN saw it go. */
  public static CreatedElsewhere inAnotherSchema(String relation, String schema, String expected) {
    return new CreatedElsewhere(new Finding(Check.IN_ANOTHER_SCHEMA, relation, schema, expected), "relation "
        + relation + " was created in schema " + schema + ", not in " + expected + " where P1 and BEGIN saw an"
        + " unqualified CREATE go: another session made that schema after BEGIN; what P1 proved no longer holds");
  }

  /** {@code schema}, where the artifact's own search_path names objects, is {@code state} (absent, not usable) now. */
  public static CreatedElsewhere schemaNoLongerUsable(String schema, String state) {
    return new CreatedElsewhere(new Finding(Check.SCHEMA_NO_LONGER_USABLE, null, schema, null), "schema " + schema
        + ", where the artifact's own search_path names its objects, is " + state + " before COMMIT:"
        + " another session changed it after BEGIN; what P1 proved no longer holds");
  }

  /** The session's search_path before COMMIT is {@code found}, not {@code expected} as the artifact's text leaves it. */
  public static CreatedElsewhere searchPathChangedUnseen(String found, String expected) {
    return new CreatedElsewhere(new Finding(Check.SEARCH_PATH_CHANGED_UNSEEN, null, found, expected), "the session's"
        + " search_path before COMMIT is '" + found + "', not '" + expected + "' as the artifact's statements leave it:"
        + " something the change ran changed it unseen, and names after that may have resolved elsewhere than P1 proved");
  }

  /**
   * Autocommit mode (R61): right before a statement, which is not sent, the session's search_path is {@code found},
   * not {@code expected} as the artifact's text leaves it after statement {@code last}.
   */
  public static CreatedElsewhere searchPathChangedUnseenBefore(int last, String found, String expected) {
    return new CreatedElsewhere(new Finding(Check.SEARCH_PATH_CHANGED_UNSEEN, null, found, expected),
        "not sent: the session's search_path is '" + found + "', not '" + expected
        + "' as the artifact's statements leave it after statement " + last + ": something it ran (a function calling"
        + " set_config) changed it for the session unseen, and the names of the statements after it would resolve"
        + " elsewhere than P1 proved");
  }

  /**
   * Before COMMIT the session's temporary schema holds {@code relations}, named as relations the artifact names
   * unqualified and does not create temporary itself.
   */
  public static CreatedElsewhere temporaryTakesName(String relations) {
    return new CreatedElsewhere(new Finding(Check.TEMPORARY_TAKES_NAME, relations, null, null), "before COMMIT the"
        + " session has temporary relation(s) " + relations + ", named as relations the artifact names unqualified and"
        + " does not create temporary: something the change ran created them unseen, and the server searches the"
        + " temporary schema first, so the statements after it wrote there, not where P1 proved");
  }

  /**
   * Autocommit mode (R64): right before a statement, which is not sent, the session's temporary schema holds {@code
   * relations}, named as relations the artifact names unqualified and does not create temporary itself.
   */
  public static CreatedElsewhere temporaryTakesNameBefore(int last, String relations) {
    return new CreatedElsewhere(new Finding(Check.TEMPORARY_TAKES_NAME, relations, null, null), "not sent: the session"
        + " has temporary relation(s) " + relations + " after statement " + last + ", named as relations the artifact"
        + " names unqualified and does not create temporary: something it ran created them unseen, and the server"
        + " searches the temporary schema first, so the statements after it would write there, not where P1 proved");
  }

  /** {@code schema}, which the change creates and its own search_path lists first, was created by another session. */
  public static CreatedElsewhere schemaByAnotherSession(String schema) {
    return new CreatedElsewhere(new Finding(Check.SCHEMA_BY_ANOTHER_SESSION, null, schema, null), "schema " + schema
        + " was created by another session after BEGIN, not by the change: what P1 proved no longer holds");
  }

  /** What was found. */
  public Finding finding() {
    return finding;
  }
}
