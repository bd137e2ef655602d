package dev.cutter.report;

import dev.cutter.core.check.CheckResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A preflight privilege check that did not hold: a package {@code privilege} check, or the
 * derived {@code apply_role_privileges} / {@code backup_role_privileges}. What is missing is read
 * from the check's "lacks …" message or its "missing: …" actual value.
 */
final class PrivilegeDiagnoses {

  private static final Pattern LACKS = Pattern.compile("\\blacks (.+)", Pattern.DOTALL);
  private static final Pattern MISSING = Pattern.compile("^missing: (.+)", Pattern.DOTALL);
  private static final Pattern ROLE = Pattern.compile("\\b(?:apply_role|backup_role|role) \"?([^\\s\"]+)\"? lacks\\b");
  private static final Pattern CREATE_ON_SCHEMA = Pattern.compile("\\bCREATE\\b[^;]*?\\bon schema \"?([^\\s\"(,;]+)\"?");
  private static final Pattern OWNERSHIP = Pattern.compile("\\bownership of ((?:materialized )?[a-z]+) (\\S+)");

  private PrivilegeDiagnoses() {}

  static Diagnosis diagnose(CheckResult c, String applyRole) {
    String lacking = lacking(c);
    String role = firstGroup(ROLE, c.message());
    if (FailureClassifier.checkType(c).equals("backup_role_privileges")) {
      return BackupDiagnoses.unreadable("preflight check " + c.id() + " found it missing: " + lacking);
    }
    String who = role != null ? role : applyRole == null ? "(the apply role)" : applyRole;
    String evidence = "Preflight check " + c.id() + " found it missing: " + lacking + ".";
    Matcher create = CREATE_ON_SCHEMA.matcher(lacking);
    if (create.find()) {
      return SqlErrorDiagnoses.missingCreateOnSchema(who, create.group(1), evidence);
    }
    Matcher own = OWNERSHIP.matcher(lacking);
    if (own.find()) {
      return SqlErrorDiagnoses.notOwner(who, own.group(1) + " " + own.group(2), evidence);
    }
    return Diagnosis.of(
        "Role " + who + " lacks a privilege the change needs: " + lacking + ".",
        "Decide with the approver how the role gets the privilege; nothing was changed.",
        "Re-issue the package with a role that already holds the privilege (e.g. the object's owner).",
        "Grant the missing privilege as a separate approved change, then re-run this package.");
  }

  /** What the check says is missing, one sentence, without a trailing period. */
  static String lacking(CheckResult c) {
    String text = firstGroup(LACKS, c.message());
    if (text == null) {
      text = firstGroup(MISSING, c.actual());
    }
    if (text == null) {
      text = FailureClassifier.describe(c);
    }
    int end = text.indexOf(". ");
    text = (end < 0 ? text : text.substring(0, end)).strip();
    return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
  }

  private static String firstGroup(Pattern p, String text) {
    if (text == null) {
      return null;
    }
    Matcher m = p.matcher(text);
    return m.find() ? m.group(1) : null;
  }
}
