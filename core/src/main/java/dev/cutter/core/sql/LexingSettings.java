package dev.cutter.core.sql;

/**
 * Which statements the server may read otherwise than the splitter split them when the lexer's
 * settings ({@code standard_conforming_strings}, {@code backslash_quote}) differ from those the
 * splitter assumed: a function a statement runs ({@code set_config}) can change them unseen.
 */
public final class LexingSettings {

  private LexingSettings() {}

  /**
   * True when {@code text}'s reading depends on the lexer's settings. {@code
   * standardConformingStrings} is what the splitter assumed for it: {@code TRUE} (on throughout),
   * {@code FALSE} (off throughout) or null (the setting changed inside the statement). Split with
   * it on: a backslash in a plain {@code '…'} string, {@code \'} in an {@code E'…'} string, or
   * {@code &'} ({@link StatementClassifier#readsOtherwiseUnderOtherSettings}); otherwise any
   * backslash or {@code &'}.
   */
  public static boolean matter(String text, Boolean standardConformingStrings) {
    if (Boolean.TRUE.equals(standardConformingStrings)) {
      return StatementClassifier.readsOtherwiseUnderOtherSettings(text);
    }
    return text.indexOf('\\') >= 0 || text.indexOf("&'") >= 0;
  }
}
