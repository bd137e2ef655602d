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
   * backslash or {@code &'}. With any setting: a backslash after a character beyond ASCII
   * ({@link #decodedOtherwise}).
   */
  public static boolean matter(String text, Boolean standardConformingStrings) {
    if (Boolean.TRUE.equals(standardConformingStrings)) {
      return StatementClassifier.readsOtherwiseUnderOtherSettings(text) || decodedOtherwise(text);
    }
    return text.indexOf('\\') >= 0 || text.indexOf("&'") >= 0;
  }

  /**
   * A backslash after a character beyond ASCII: under a client encoding the server decodes
   * otherwise than UTF-8 (SJIS, BIG5, GBK, … set by a function's {@code set_config} with {@code
   * backslash_quote} on), the last byte of such a character and the backslash after it read as one
   * character, and an {@code E'…'} string the split ended at its quote goes on past it. What comes
   * before the first such character reads the same in every client encoding (all agree on ASCII).
   * The driver gives the connection up when the server reports the encoding changed, so such a
   * statement is kept back until every earlier result has arrived, as one that depends on the
   * lexer's settings.
   */
  static boolean decodedOtherwise(String text) {
    int backslash = text.lastIndexOf('\\');
    for (int i = 0; i < backslash; i++) {
      if (text.charAt(i) >= 128) {
        return true;
      }
    }
    return false;
  }
}
