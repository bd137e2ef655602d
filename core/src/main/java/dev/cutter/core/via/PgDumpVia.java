package dev.cutter.core.via;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's command prefix that runs pg_dump and pg_restore where the server lives (e.g.
 * {@code docker exec -i -e PGPASSWORD db}), with the host and port pg_dump reaches the server at
 * from there. It comes from {@code --pg-dump-via} or the trust policy, never from a package.
 *
 * <p>The prefix is one line split into words as a POSIX shell would split it, without running a
 * shell, and only where a shell would not do more than split: see {@link #split}. A word that
 * assigns a libpq variable or a secret-looking one ({@code PGPASSWORD=...}, {@code --env=DB_TOKEN=...})
 * is refused: argv is readable by every user of the host, so variables go to the prefix by name only
 * (cutter sets their values in the prefix's environment).
 *
 * @param prefix the words, program first
 * @param host where pg_dump connects from inside the prefix; empty: the host cutter connects to
 * @param port the port there; empty: the port cutter connects to
 * @param source where the setting came from, for messages ({@code --pg-dump-via}, {@code trust policy FILE})
 */
public record PgDumpVia(List<String> prefix, Optional<String> host, OptionalInt port, String source) {

  public PgDumpVia {
    prefix = List.copyOf(prefix);
    if (prefix.isEmpty()) {
      throw new IllegalArgumentException("an empty prefix");
    }
  }

  /** Why a prefix, host or port was refused, and the column (from 1) where the problem is; 0 when it is the whole value. */
  public static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int column;

    Invalid(int column, String message) {
      super(message);
      this.column = column;
    }

    public int column() {
      return column;
    }
  }

  /** Outside quotes, each of these would make a shell do more than split words. */
  private static final String SHELL_SPECIAL = "\\$`;&|<>(){}[]*?!#~";

  /** libpq's environment variables: a prefix must not set them (cutter does, in the prefix's environment). */
  private static final Set<String> LIBPQ_VARIABLES = Set.of("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER",
      "PGPASSWORD", "PGPASSFILE", "PGCHANNELBINDING", "PGSERVICE", "PGSERVICEFILE", "PGOPTIONS", "PGAPPNAME",
      "PGSSLMODE", "PGREQUIRESSL", "PGSSLCOMPRESSION", "PGSSLCERT", "PGSSLKEY", "PGSSLROOTCERT", "PGSSLCRL",
      "PGSSLCRLDIR", "PGSSLSNI", "PGREQUIREPEER", "PGSSLMINPROTOCOLVERSION", "PGSSLMAXPROTOCOLVERSION",
      "PGGSSENCMODE", "PGKRBSRVNAME", "PGGSSLIB", "PGCONNECT_TIMEOUT", "PGCLIENTENCODING", "PGTARGETSESSIONATTRS",
      "PGLOADBALANCEHOSTS", "PGSSLNEGOTIATION", "PGREQUIREAUTH");

  /** Parts of a variable name that say it holds a secret. */
  private static final List<String> SECRET_WORDS = List.of("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN",
      "CREDENTIAL");

  /** An assignment inside a word: the run of name characters right before an {@code =}. */
  private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z0-9_]+)=");

  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:/%\\-\\[\\]]+");

  /**
   * Parses and checks a prefix, host and port.
   *
   * @throws Invalid with a one-line message and the column of the problem
   */
  public static PgDumpVia parse(String prefix, Optional<String> host, OptionalInt port, String source) {
    List<String> words = split(prefix);
    host.ifPresent(PgDumpVia::checkHost);
    port.ifPresent(PgDumpVia::checkPort);
    return new PgDumpVia(words, host, port, source);
  }

  /**
   * Splits one line into words as a POSIX shell does, refusing whatever a shell would read as
   * more than words. The rules:
   * <ul>
   *   <li>words are separated by spaces or tabs;
   *   <li>{@code '...'} keeps everything up to the next {@code '} as it is;
   *   <li>{@code "..."} keeps everything up to the next {@code "} as it is, but {@code \ $ `} are
   *       refused inside (a shell would give them meaning there);
   *   <li>quoted and unquoted parts next to each other make one word ({@code a'b c'} is {@code ab c});
   *   <li>outside quotes, {@code \ $ ` ; & | < > ( ) { } [ ] * ? ! # ~} are refused: quote them;
   *   <li>a control character (a line break, ...) anywhere, an unterminated quote, an empty word
   *       ({@code ''}) and an empty line are refused;
   *   <li>a word that assigns a libpq variable or a variable whose name says it holds a secret
   *       ({@code PGPASSWORD=x}, {@code -ePGPASSWORD=x}, {@code --env=API_TOKEN=x}) is refused.
   * </ul>
   *
   * @throws Invalid with a one-line message and the column (from 1) of the problem
   */
  public static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    int wordStart = 0;
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      int col = i + 1;
      if (Character.isISOControl(c) && c != '\t') {
        throw new Invalid(col, "a control character (" + describe(c) + ") at column " + col + ": the prefix is one line");
      }
      if (c == ' ' || c == '\t') {
        if (word != null) {
          words.add(finish(word, wordStart));
          word = null;
        }
        i++;
        continue;
      }
      if (word == null) {
        word = new StringBuilder();
        wordStart = col;
      }
      if (c == '\'' || c == '"') {
        int close = line.indexOf(c, i + 1);
        if (close < 0) {
          throw new Invalid(col, "unterminated " + c + " quote at column " + col);
        }
        for (int j = i + 1; j < close; j++) {
          char q = line.charAt(j);
          if (Character.isISOControl(q)) {
            throw new Invalid(j + 1, "a control character (" + describe(q) + ") at column " + (j + 1)
                + ": the prefix is one line");
          }
          if (c == '"' && (q == '\\' || q == '$' || q == '`')) {
            throw new Invalid(j + 1, "'" + q + "' inside double quotes at column " + (j + 1)
                + " would be interpreted by a shell; use single quotes");
          }
        }
        word.append(line, i + 1, close);
        if (close == i + 1) {
          word.append('\0'); // marks an empty quoted part; an empty word is refused in finish
        }
        i = close + 1;
        continue;
      }
      if (SHELL_SPECIAL.indexOf(c) >= 0) {
        throw new Invalid(col, "'" + c + "' at column " + col + " would be interpreted by a shell (expansion,"
            + " redirection, globbing or another command); cutter runs no shell: quote it with '...' if it is meant literally");
      }
      word.append(c);
      i++;
    }
    if (word != null) {
      words.add(finish(word, wordStart));
    }
    if (words.isEmpty()) {
      throw new Invalid(0, "an empty prefix: name the command that runs pg_dump where the server lives,"
          + " e.g. docker exec -i -e PGPASSWORD CONTAINER");
    }
    return List.copyOf(words);
  }

  private static String finish(StringBuilder raw, int column) {
    String word = raw.toString().replace("\0", "");
    if (word.isEmpty()) {
      throw new Invalid(column, "an empty word at column " + column);
    }
    Matcher m = ASSIGNMENT.matcher(word);
    while (m.find()) {
      String name = m.group(1).toUpperCase(Locale.ROOT);
      Optional<String> libpqName = LIBPQ_VARIABLES.stream().filter(name::endsWith).max(java.util.Comparator.comparingInt(String::length));
      boolean libpq = libpqName.isPresent();
      boolean secret = SECRET_WORDS.stream().anyMatch(name::contains);
      if (libpq || secret) {
        throw new Invalid(column, "the word at column " + column + " assigns a value to " + (libpq ? "the libpq variable "
            : "the variable ") + libpqName.orElse(m.group(1)) + " in argv, which every user of this host can read; forward variables by"
            + " name only (e.g. -e PGPASSWORD) and cutter sets them in the prefix's environment");
      }
    }
    return word;
  }

  /** A host name, an address or a socket directory (an absolute path); returns it. */
  public static String checkHost(String host) {
    if (host.isEmpty() || !HOST.matcher(host).matches()) {
      throw new Invalid(0, "'" + host + "' is not a host name, an address or a socket directory");
    }
    return host;
  }

  /** A TCP port; returns it. */
  public static int checkPort(int port) {
    if (port < 1 || port > 65535) {
      throw new Invalid(0, port + " is not a port (1 to 65535)");
    }
    return port;
  }

  private static String describe(char c) {
    return switch (c) {
      case '\n' -> "a line break";
      case '\r' -> "a carriage return";
      default -> String.format("U+%04X", (int) c);
    };
  }

  /** The prefix as an operator would type it: words with anything but plain characters single-quoted. */
  public String display() {
    return display(prefix);
  }

  /** {@code words} as an operator would type them: anything but plain characters single-quoted. */
  public static String display(List<String> words) {
    List<String> out = new ArrayList<>();
    for (String w : words) {
      out.add(w.matches("[A-Za-z0-9_@%+=:,./-]+") ? w : "'" + w.replace("'", "'\"'\"'") + "'");
    }
    return String.join(" ", out);
  }
}
