package dev.cutter.report;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cutter.core.text.YamlText;

/**
 * JSON escapes for the report's JSON and SARIF: a character that hides or reorders text (a bidi
 * control, a zero-width or other format character, a line or paragraph separator) is written as
 * {@code \\uXXXX}, never raw, as the YAML, Markdown and HTML show it; so is every character beyond
 * U+FFFF, as its two surrogates (a hidden one cannot be told from the others one half at a time);
 * the text reads back the same. Also the JSON of {@code cutter package verify}.
 */
public final class VisibleJsonEscapes extends CharacterEscapes {

  private static final long serialVersionUID = 1L;

  private static final int[] ASCII = standardAsciiEscapesForJSON();

  private VisibleJsonEscapes() {}

  /** An indenting JSON mapper that writes hidden characters escaped. */
  public static ObjectMapper mapper() {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    m.getFactory().setCharacterEscapes(new VisibleJsonEscapes());
    return m;
  }

  @Override
  public int[] getEscapeCodesForAscii() {
    return ASCII;
  }

  @Override
  public SerializableString getEscapeSequence(int ch) {
    // a character beyond U+FFFF comes here one surrogate at a time, and the hidden ones are among them (the
    // tag characters U+E0000-E007F spell invisible ASCII): both halves of every such character are escaped
    return Character.isSurrogate((char) ch) || YamlText.hidden(ch) ? new SerializedString(String.format("\\u%04x", ch))
        : null;
  }
}
