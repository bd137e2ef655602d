package dev.cutter.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A rendering-neutral document: the report as headings, paragraphs, tables and code blocks, which
 * {@link MarkdownEmitter} and {@link HtmlEmitter} write alike (so both say the same thing).
 */
final class Doc {

  private Doc() {}

  enum Style { PLAIN, BOLD, CODE }

  /** A run of inline text in one style. */
  record Span(Style style, String text) {}

  /** A line of inline text: several spans. */
  record Line(List<Span> spans) {
    Line {
      spans = List.copyOf(spans);
    }

    static Line of(Span... spans) {
      return new Line(Arrays.asList(spans));
    }

    static Line plain(String text) {
      return of(Doc.plain(text));
    }

    boolean isEmpty() {
      return spans.stream().allMatch(s -> s.text().isEmpty());
    }
  }

  sealed interface Block permits Heading, Paragraph, Callout, Table, Code, Bullets {}

  record Heading(int level, String text) implements Block {}

  record Paragraph(Line line) implements Block {}

  /** A banner; {@code kind} is a GitHub alert kind (NOTE, TIP, IMPORTANT, WARNING, CAUTION). */
  record Callout(String kind, List<Line> paragraphs) implements Block {}

  record Table(List<String> header, List<List<Line>> rows) implements Block {}

  /** Preformatted text, e.g. a server error message; {@code caption} says whose. */
  record Code(String caption, String text) implements Block {}

  record Bullets(List<Line> items) implements Block {}

  static Span plain(String text) {
    return new Span(Style.PLAIN, text == null ? "" : text);
  }

  static Span bold(String text) {
    return new Span(Style.BOLD, text == null ? "" : text);
  }

  static Span code(String text) {
    return new Span(Style.CODE, text == null ? "" : text);
  }

  /** Builds a table row by row. */
  static final class TableBuilder {
    private final List<String> header;
    private final List<List<Line>> rows = new ArrayList<>();

    TableBuilder(String... header) {
      this.header = List.of(header);
    }

    TableBuilder row(Line... cells) {
      rows.add(List.of(cells));
      return this;
    }

    /** A label-value row, skipped when the value is absent. */
    TableBuilder field(String label, Line value) {
      if (value != null && !value.isEmpty()) {
        row(Line.plain(label), value);
      }
      return this;
    }

    boolean isEmpty() {
      return rows.isEmpty();
    }

    Table build() {
      return new Table(header, rows);
    }
  }
}
