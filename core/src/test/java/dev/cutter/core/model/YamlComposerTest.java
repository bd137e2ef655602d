package dev.cutter.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** {@link YamlComposer} gives the node tree {@code new Yaml(options).compose} gives, and fails as it fails. */
class YamlComposerTest {

  private static final List<String> TEXTS = List.of(
      "apiVersion: cutter/v1\nkind: ChangePackage\nid: a.b-c\n",
      "a: &x [1, 2.5, true, null, ~, '', \"q\\n\"]\nb: *x\nc: {d: 0x1F, e: 2026-12-05T10:00:00Z}\n",
      "- |\n  literal\n  block\n- >\n  folded\n  text\n- !!str 12\n",
      "# only a comment\n",
      "",
      "a: 1\na: 2\n",
      "a: [1, 2\n",
      "a: b: c\n",
      "--- 1\n--- 2\n",
      "k: \"\\u0007\"\nv: \t x\n");

  private static LoaderOptions strict() {
    LoaderOptions o = new LoaderOptions();
    o.setAllowDuplicateKeys(false);
    o.setMaxAliasesForCollections(3);
    o.setAllowRecursiveKeys(false);
    o.setNestingDepthLimit(5);
    o.setCodePointLimit(1 << 16);
    o.setMergeOnCompose(false);
    o.setProcessComments(false);
    return o;
  }

  @Test
  void composesTheSameNodesAndFailsTheSameWayAsYamlCompose() {
    for (LoaderOptions options : List.of(new LoaderOptions(), strict())) {
      for (String text : TEXTS) {
        Node expected = null;
        Throwable expectedFailure = null;
        try {
          expected = new Yaml(options).compose(new StringReader(text));
        } catch (RuntimeException e) {
          expectedFailure = e;
        }
        Throwable failure = catchThrowable(() -> YamlComposer.compose(text, options));
        if (expectedFailure != null) {
          assertThat(failure).as(text).isNotNull().hasSameClassAs(expectedFailure)
              .hasMessage(expectedFailure.getMessage());
          continue;
        }
        assertThat(failure).as(text).isNull();
        assertThat(describe(YamlComposer.compose(text, options))).as(text).isEqualTo(describe(expected));
      }
    }
  }

  /**
   * The limits the loader sets (nesting, aliases to collections, recursive keys, code points) hold
   * without a {@code Yaml} object: each text over one fails under the strict options exactly as
   * {@code Yaml.compose} fails, and one just under it composes; a global tag ({@code !!java…}) is
   * refused by the tag inspector as there.
   */
  @Test
  void theLoaderLimitsHoldAsUnderYamlCompose() {
    String big = "a: '" + "x".repeat(1 << 16) + "'\n";
    List<String> over = List.of("a: [[[[[[1]]]]]]\n", "a: &x [1]\nb: [*x, *x, *x, *x]\n", big,
        "a: !!java.lang.ProcessBuilder [sh]\n");
    for (String text : over) {
      Throwable expected = catchThrowable(() -> new Yaml(strict()).compose(new StringReader(text)));
      assertThat(expected).as(text.length() > 80 ? "a long scalar" : text).isNotNull();
      assertThat(catchThrowable(() -> YamlComposer.compose(text, strict())))
          .as(text.length() > 80 ? "a long scalar" : text).isNotNull().hasSameClassAs(expected)
          .hasMessage(expected.getMessage());
    }
    assertThat(catchThrowable(() -> YamlComposer.compose("a: [[[[1]]]]\n", strict()))).isNull();
    assertThat(catchThrowable(() -> YamlComposer.compose("a: &x [1]\nb: [*x, *x, *x]\n", strict()))).isNull();
    // a recursive key and a duplicate key compose (under Yaml.compose too: its constructor checks
    // them); the package's own conversion refuses both, naming where
    for (String text : List.of("&k [*k]: 1\n", "a: 1\nb: 2\na: 3\n")) {
      assertThat(catchThrowable(() -> new Yaml(strict()).compose(new StringReader(text)))).isNull();
      assertThat(catchThrowable(() -> YamlComposer.compose(text, strict()))).isNull();
      dev.cutter.core.check.Problems problems = new dev.cutter.core.check.Problems("package.yaml");
      YamlDocument.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), problems);
      assertThat(problems.diagnostics()).as(text).extracting(d -> d.line() + ":" + d.message()).containsExactly(
          text.startsWith("&") ? "1:a key must be a plain name, not a list or mapping" : "3:duplicate key 'a' (first at line 1)");
    }
  }

  @Test
  void theCasesCoverTreesEmptyDocumentsAndFailures() {
    assertThat(YamlComposer.compose("", new LoaderOptions())).isNull();
    assertThat(YamlComposer.compose("# c\n", new LoaderOptions())).isNull();
    assertThat(describe(YamlComposer.compose("a: [1, x]\n", new LoaderOptions())))
        .isEqualTo("map(tag:yaml.org,2002:map)@0-10{scalar(tag:yaml.org,2002:str,Scalar style: 'null',a)@0-1="
            + "seq(tag:yaml.org,2002:seq,Flow style: 'true')@3-9[scalar(tag:yaml.org,2002:int,Scalar style: 'null',1)@4-5,"
            + "scalar(tag:yaml.org,2002:str,Scalar style: 'null',x)@7-8]}");
    assertThat(catchThrowable(() -> YamlComposer.compose("a: [1, 2\n", new LoaderOptions())))
        .isInstanceOf(org.yaml.snakeyaml.error.MarkedYAMLException.class);
  }

  /** Every node's kind, tag, style, value and span, depth first. */
  private static String describe(Node n) {
    if (n == null) {
      return "null";
    }
    String span = "@" + n.getStartMark().getIndex() + "-" + n.getEndMark().getIndex();
    if (n instanceof ScalarNode s) {
      return "scalar(" + s.getTag().getValue() + "," + s.getScalarStyle() + "," + s.getValue() + ")" + span;
    }
    if (n instanceof SequenceNode s) {
      StringBuilder b = new StringBuilder("seq(" + s.getTag().getValue() + "," + s.getFlowStyle() + ")" + span + "[");
      s.getValue().forEach(i -> b.append(describe(i)).append(','));
      return b.substring(0, b.length() - (s.getValue().isEmpty() ? 0 : 1)) + "]";
    }
    MappingNode m = (MappingNode) n;
    StringBuilder b = new StringBuilder("map(" + m.getTag().getValue() + ")" + span + "{");
    for (NodeTuple t : m.getValue()) {
      b.append(describe(t.getKeyNode())).append('=').append(describe(t.getValueNode())).append(',');
    }
    return b.substring(0, b.length() - (m.getValue().isEmpty() ? 0 : 1)) + "}";
  }
}
