package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.run.RunReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link BlockYaml} lays out a report's YAML by hand: it must give exactly the text the report's
 * mapper gives event by event, for every report and for any tree, or decline (null).
 */
class BlockYamlTest {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Pieces of texts and keys: identifiers, YAML's reserved words, numbers, indicators, quotes, breaks, Unicode. */
  private static final List<String> PIECES = List.of("id", "status", "PASS", "_x", "a1", "duration_ms", "y", "n",
      "Y", "N", "yes", "No", "TRUE", "false", "on", "OFF", "null", "Null", "~", "", " ", "  ", "0", "007", "1.5", "-3",
      "+4", "1e5", ".inf", ".NaN", "0x1F", "0o17", "12:30", "2026-12-05", "2026-12-05T05:57:52.567Z", ": ", ":", "#",
      " #", "- ", "-", "? ", "?", "[", "]", "{", "}", ",", "&a", "*a", "!tag", "|", ">", "%", "@", "`", "'", "\"", "\\",
      "\n", "\r\n", "\t", "\u0085", "\u2028", "\u00e9", "\u00df", "\u4e2d", "\uD83D\uDE00", "\u0000", "\u007f",
      "\ufeff", "create table bench.t1 (id bigint primary key);", "quorum: 1 of 1", "x".repeat(70),
      "k".repeat(130), "<<", "=", "..." , "---", "a b", "a\u00a0b", "password: hunter2");

  @Test
  void everySampleReportIsWrittenAsTheMapperWritesIt() {
    SecretScanner scanner = SampleReports.scanner();
    int laidOut = 0;
    for (Map.Entry<String, RunReport> e : SampleReports.all().entrySet()) {
      JsonNode tree = ScannedReport.scan(new FailureClassifier().diagnose(e.getValue()), scanner, false).treeToRead();
      assertThat(ReportCodec.yaml(tree)).as(e.getKey()).isEqualTo(ReportCodec.yamlByMapper(tree));
      laidOut += BlockYaml.write(tree, mapperOf()) != null ? 1 : 0;
    }
    assertThat(laidOut).as("samples laid out by hand").isGreaterThanOrEqualTo(SampleReports.all().size() / 2);
  }

  @Test
  void aTenThousandStatementReportIsLaidOutByHandAsTheMapperWritesIt() {
    List<StatementTiming> ran = new ArrayList<>();
    for (int i = 1; i <= 10_000; i++) {
      String text = i % 50 == 0 ? "create table bench.t" + i + " (id bigint primary key, v numeric(12,2));"
          : i % 77 == 0 ? "comment on table t is 'x: y # z'" : null;
      ran.add(new StatementTiming(i, i * 2, text, i % 13));
    }
    RunReport big = TimingsReportTest.timed().withStatements(new StatementTimings(ran, 4321L));
    JsonNode tree = ScannedReport.scan(big, SampleReports.scanner(), false).treeToRead();
    String byHand = BlockYaml.write(tree, mapperOf());
    assertThat(byHand).isNotNull().isEqualTo(ReportCodec.yamlByMapper(tree));
  }

  @Test
  void randomTreesAreWrittenAsTheMapperWritesThemOrLeftToIt() {
    int laidOut = 0;
    int trees = 9_000;
    for (int t = 0; t < trees; t++) {
      Random random = new Random(20261205L * 31 + t);
      ObjectNode root = F.objectNode();
      fill(root, random, 0);
      String byHand = BlockYaml.write(root, mapperOf());
      if (byHand != null) {
        laidOut++;
        assertThat(byHand).as(root.toString()).isEqualTo(ReportCodec.yamlByMapper(root));
      }
      assertThat(ReportCodec.yaml(root)).as(root.toString()).isEqualTo(ReportCodec.yamlByMapper(root));
    }
    assertThat(laidOut).as("trees laid out by hand").isGreaterThan(trees / 4);
  }

  @Test
  void plainIdentifiersAreExactlyThoseTheMapperWritesWithoutQuotes() {
    Random random = new Random(7);
    List<String> words = new ArrayList<>(PIECES);
    String alphabet = "abcXYZ_019-. :#'\"";
    for (int i = 0; i < 5_000; i++) {
      StringBuilder w = new StringBuilder();
      int n = 1 + random.nextInt(8);
      for (int k = 0; k < n; k++) {
        w.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      words.add(w.toString());
    }
    for (String w : words) {
      if (BlockYaml.plain(w)) {
        ObjectNode doc = F.objectNode();
        doc.put(w, w);
        assertThat(ReportCodec.yamlByMapper(doc)).as(w).isEqualTo(w + ": " + w + "\n");
      }
    }
  }

  @Test
  void treesOfAShapeNotLaidOutHereAreLeftToTheMapper() {
    ObjectNode nested = F.objectNode();
    nested.putArray("a").addArray().add(1);
    ObjectNode emptyItem = F.objectNode();
    emptyItem.putArray("a").addObject();
    ObjectNode multiLine = F.objectNode();
    multiLine.put("m", "one\ntwo");
    ObjectNode longKey = F.objectNode();
    longKey.put("k".repeat(130) + " x", 1);
    for (ObjectNode n : List.of(nested, emptyItem, multiLine, longKey)) {
      assertThat(BlockYaml.write(n, mapperOf())).as(n.toString()).isNull();
      assertThat(ReportCodec.yaml(n)).isEqualTo(ReportCodec.yamlByMapper(n));
    }
  }

  private static com.fasterxml.jackson.databind.ObjectMapper mapperOf() {
    return ReportCodec.mapper();
  }

  private static void fill(ObjectNode o, Random random, int depth) {
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      o.set(text(random, true), node(random, depth + 1));
    }
  }

  private static JsonNode node(Random random, int depth) {
    int kind = random.nextInt(depth > 3 ? 6 : 9);
    switch (kind) {
      case 0:
      case 1:
        return F.textNode(text(random, false));
      case 2:
        return F.numberNode(random.nextInt(3) == 0 ? -random.nextInt(1000) : random.nextInt(100_000));
      case 3:
        return random.nextBoolean() ? F.numberNode(random.nextLong()) : F.numberNode(random.nextInt(2000) / 8.0);
      case 4:
        return random.nextBoolean() ? F.booleanNode(random.nextBoolean()) : F.nullNode();
      case 5:
        return F.textNode(PIECES.get(random.nextInt(PIECES.size())));
      case 6:
      case 7: {
        ObjectNode o = F.objectNode();
        if (random.nextInt(6) > 0) {
          fill(o, random, depth);
        }
        return o;
      }
      default: {
        ArrayNode a = F.arrayNode();
        int items = random.nextInt(5);
        for (int i = 0; i < items; i++) {
          JsonNode item = node(random, depth + 1);
          a.add(random.nextInt(8) == 0 ? item : item.isContainerNode() && item.isEmpty() ? F.textNode("e") : item);
        }
        return a;
      }
    }
  }

  private static String text(Random random, boolean key) {
    int pieces = random.nextInt(key ? 2 : 4) + (key ? 1 : 0);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < pieces; i++) {
      s.append(PIECES.get(random.nextInt(PIECES.size())));
    }
    return s.toString();
  }
}
