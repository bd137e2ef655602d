package dev.cutter.core.model;

import java.io.StringReader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * YAML text to its node tree, as {@code new Yaml(options).compose(reader)} gives it (the same
 * parser, resolver and options), without what a {@code Yaml} object also builds and composing
 * never uses: a constructor, a representer with its bean introspection, dumper options. Those
 * cost every command that reads a package or a trust policy start-up time for nothing
 * (docs/performance.md, "Fixed cost, session 9").
 */
public final class YamlComposer {

  private YamlComposer() {}

  /** The single document of {@code text}; null when it holds none. Throws as {@code Yaml.compose} does. */
  public static Node compose(String text, LoaderOptions options) {
    return new Composer(new ParserImpl(new StreamReader(new StringReader(text)), options), new Resolver(), options)
        .getSingleNode();
  }
}
