package dev.cutter.report;

import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.cutter.core.text.YamlText;
import java.io.IOException;
import java.io.Writer;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * The report's YAML factory: a text holding a character that hides or reorders what a reader sees
 * (a bidi override or isolate, a zero-width or other format character, a line or paragraph
 * separator, a control) is always written double-quoted, never plain or as a literal block, so
 * that {@link #visible} can then write each such character as its {@code \\uXXXX} escape and the
 * text still reads back as the same string.
 */
final class VisibleYamlFactory extends YAMLFactory {

  private static final long serialVersionUID = 1L;

  VisibleYamlFactory(YAMLFactoryBuilder builder) {
    super(builder);
  }

  /**
   * {@code yaml} as this factory's generator wrote it, with each raw hidden character (the YAML
   * library leaves the printable format characters raw even in a double-quoted scalar) escaped; every
   * such character stands in a double-quoted scalar, where the escape reads back as the character.
   */
  static String visible(String yaml) {
    return YamlText.visibleKeepingBreaks(yaml);
  }

  @Override
  protected YAMLGenerator _createGenerator(Writer out, IOContext ctxt) throws IOException {
    return new YAMLGenerator(ctxt, _generatorFeatures, _yamlGeneratorFeatures, _quotingChecker, _objectCodec, out,
        _version) {
      @Override
      protected ScalarEvent _scalarEvent(String value, DumperOptions.ScalarStyle style) {
        return super._scalarEvent(value, value.codePoints().anyMatch(YamlText::hidden)
            ? DumperOptions.ScalarStyle.DOUBLE_QUOTED : style);
      }
    };
  }
}
