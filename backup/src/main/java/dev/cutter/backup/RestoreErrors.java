package dev.cutter.backup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What of the restore proof's pg_restore stderr may be reported: pg_restore's own lines (which TOC
 * entry it was at, what failed), never the server's message. The restore runs code the archive
 * carries (a CHECK constraint's function, an index expression, a default), planted by whoever could
 * create objects on the target, over rows the backup login dumped and that author may not read: its
 * {@code RAISE} puts those rows into the server's ERROR, DETAIL, HINT or CONTEXT, which pg_restore
 * prints after its own words ({@code could not execute query: ERROR:  …}, {@code COPY failed for
 * table "t": ERROR:  …}), followed by lines of its own ({@code Command was: …}).
 *
 * <p>Decided by the lines' structure, never by what they say: pg_restore starts each of its
 * records with {@code pg_restore: }; libpq starts a server's message with its severity and a colon
 * followed by <em>two</em> spaces ({@code ERROR:  }, in any language). Kept: the leading run of
 * lines that start with {@code pg_restore: } and hold no such colon, then the first line that does
 * hold one, cut before the {@code ": "} that precedes the server's severity. From the first line
 * that holds a server's message or does not start with {@code pg_restore: } on, every line is
 * withheld and only counted: once the server's text has begun, a line of it may be made to look
 * like pg_restore's own. An overlong line ends the kept part as well. Only the head of stderr is
 * read into memory (the rest is drained): the kept part is always at its start.
 */
final class RestoreErrors {

  /** What every report of a withheld server message says, and where the operator can read it. */
  static final String WITHHELD = "the server's message is withheld (code the restore ran may have put rows of the"
      + " source into it); to read it, restore the quarantined archive by hand (pg_restore --exit-on-error) into a"
      + " scratch database, or read the log of the scratch server named with --restore-into";

  private static final String PREFIX = "pg_restore: ";
  private static final String SEVERITY = ":  ";
  static final int MAX_LINE = 4096;
  static final int MAX_LINES = 50;

  private final List<String> kept;
  private final int withheld;
  private final boolean cut;

  private RestoreErrors(List<String> kept, int withheld, boolean cut) {
    this.kept = List.copyOf(kept);
    this.withheld = withheld;
    this.cut = cut;
  }

  /** Nothing was read (no stderr). */
  static RestoreErrors none() {
    return new RestoreErrors(List.of(), 0, false);
  }

  /** Reads {@code in} to its end, keeping only pg_restore's own lines (see the class). */
  static RestoreErrors read(InputStream in) throws IOException {
    Reader r = new Reader();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) > 0) {
      for (int i = 0; i < n; i++) {
        r.accept(buf[i]);
      }
    }
    r.end();
    return new RestoreErrors(r.kept, r.withheld, r.cut);
  }

  /** As {@link #read(InputStream)} from text (for tests). */
  static RestoreErrors of(String stderr) {
    try {
      return read(new java.io.ByteArrayInputStream(stderr.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** pg_restore's own lines, in order (the last one cut before the server's message, if one came). */
  List<String> kept() {
    return kept;
  }

  /** How many lines were withheld (the server's message, and everything after it). */
  int withheldLines() {
    return withheld;
  }

  /** True when anything pg_restore printed was withheld. */
  boolean anyWithheld() {
    return cut || withheld > 0;
  }

  /** The line of a one-line reason: pg_restore's last kept line (where it stopped), or that nothing of its own was printed. */
  String summary() {
    String last = kept.isEmpty() ? "(no message of pg_restore's own)" : kept.get(kept.size() - 1);
    return anyWithheld() ? last + "; " + WITHHELD : last;
  }

  /** Every kept line, then how many were withheld (null when pg_restore printed nothing). */
  String details() {
    if (kept.isEmpty() && !anyWithheld()) {
      return null;
    }
    List<String> out = new ArrayList<>(kept);
    if (anyWithheld()) {
      out.add("[" + (cut ? "the rest of the last line and " : "") + withheld + (withheld == 1 ? " line" : " lines")
          + " withheld: the server's message]");
    }
    return String.join("\n", out);
  }

  /** The line-by-line decision, fed byte by byte so that no line longer than {@link #MAX_LINE} is held. */
  private static final class Reader {
    final List<String> kept = new ArrayList<>();
    int withheld;
    boolean cut;
    private boolean withholding;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean overlong;
    private boolean pending;

    void accept(byte b) {
      pending = true;
      if (b == '\n') {
        endLine();
        return;
      }
      if (withholding) {
        return; // only counted
      }
      if (line.size() < MAX_LINE) {
        line.write(b);
      } else {
        overlong = true;
      }
    }

    void end() {
      if (pending) {
        endLine();
      }
    }

    private void endLine() {
      pending = false;
      if (withholding) {
        withheld++;
        return;
      }
      String text = line.toString(StandardCharsets.UTF_8);
      line.reset();
      if (text.endsWith("\r")) {
        text = text.substring(0, text.length() - 1);
      }
      if (!text.startsWith(PREFIX) || kept.size() >= MAX_LINES) {
        withholding = true;
        withheld++;
        return;
      }
      int severity = text.indexOf(SEVERITY);
      if (severity >= 0 || overlong) {
        // the server's message starts after the ": " that precedes its severity; an overlong line
        // is cut where it was cut off, and both end what is kept
        int at = severity >= 0 ? text.lastIndexOf(": ", severity - 1) : text.length();
        if (at >= PREFIX.length()) {
          kept.add(text.substring(0, at));
        }
        cut = true;
        withholding = true;
        return;
      }
      kept.add(text);
    }
  }
}
