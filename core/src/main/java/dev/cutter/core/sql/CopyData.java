package dev.cutter.core.sql;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The inline data of a {@code COPY … FROM STDIN}: the lines that follow the line holding the
 * statement, up to and including the line that is exactly {@code \.} (or {@code \.} and a
 * carriage return), or to the end of the file when none comes. {@code text} is exactly what
 * psql 15 sends as CopyData: every byte of those lines, line ends and the end-marker line
 * included (the server stops reading at {@code \.}).
 *
 * <p>Row values: the text never goes into a listing, report or log; only its line range and size.
 *
 * @param startLine the first data line; {@code endLine + 1} when there are no data lines
 * @param endLine the last data line (the {@code \.} line when {@link #endMarker})
 * @param endMarker whether a {@code \.} line ended the data (false: it ran to the end of the file)
 */
public record CopyData(int startLine, int endLine, boolean endMarker, String text) {

  public CopyData {
    Objects.requireNonNull(text, "text");
  }

  /** How many lines the data has (0 for none). */
  public int lines() {
    return endLine - startLine + 1;
  }

  /** The bytes sent to the server (the artifact's own bytes: it is read as UTF-8). */
  public byte[] bytes() {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Omits the data: a record's default text would carry row values into logs and messages. */
  @Override
  public String toString() {
    return "CopyData[lines " + startLine + "-" + endLine + ", " + text.length() + " chars, end marker " + endMarker + "]";
  }
}
