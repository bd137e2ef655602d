package dev.cutter.dist;

import dev.cutter.cli.CutterCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes, at build time, what the installed cutter carries besides its jar, from the very command
 * line the jar runs ({@link CutterCommand#commandLine}, every verb added), so that neither can
 * drift from the commands: the bash completion script (picocli's AutoComplete), its zsh wrapper,
 * and one AsciiDoc man page per command (picocli's ManPageGenerator; the build turns them into
 * roff).
 *
 * <p>{@code Manuals OUT}: writes {@code OUT/completion/cutter.bash}, {@code OUT/completion/_cutter}
 * and {@code OUT/man-adoc/cutter*.adoc}. {@code Manuals --gzip FROM TO}: each man page of FROM
 * gzipped into TO, as Debian installs them.
 */
public final class Manuals {

  /** The installed command's name. */
  public static final String NAME = "cutter";

  private Manuals() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 3 && args[0].equals("--gzip")) {
      gzip(Path.of(args[1]), Path.of(args[2]));
      return;
    }
    if (args.length != 1) {
      System.err.println("usage: Manuals OUT-DIR | --gzip FROM-DIR TO-DIR");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Path completion = Files.createDirectories(out.resolve("completion"));
    Files.writeString(completion.resolve("cutter.bash"), bash(), StandardCharsets.UTF_8);
    Files.writeString(completion.resolve("_cutter"), zsh(), StandardCharsets.UTF_8);
    Path adoc = Files.createDirectories(out.resolve("man-adoc"));
    int rc = ManPageGenerator.generateManPage(adoc.toFile(), null, new boolean[0], true,
        commandLine().getCommandSpec());
    if (rc != 0) {
      System.err.println("the man page generator exited " + rc);
      System.exit(1);
    }
  }

  private static void gzip(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> pages = Files.list(from)) {
      for (Path page : pages.filter(p -> p.getFileName().toString().endsWith(".1")).sorted().toList()) {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(to.resolve(page.getFileName() + ".gz")))) {
          Files.copy(page, out);
        }
      }
    }
  }

  /**
   * cutter's command line with every verb, as {@code cutter --help} builds it. Its usage width is
   * wide enough that no synopsis wraps: the man page generator would break a styled parameter
   * label such as {@code SECRET.asc} at its dot (man reflows the line itself).
   */
  public static CommandLine commandLine() {
    PrintWriter sink = new PrintWriter(new StringWriter());
    CommandLine cl = CutterCommand.commandLine(sink, sink);
    cl.setUsageHelpWidth(1000);
    return cl;
  }

  /** The bash completion script (it also serves zsh through bashcompinit). */
  public static String bash() {
    return AutoComplete.bash(NAME, commandLine());
  }

  /**
   * The zsh completion function file: zsh finds {@code _cutter} on its fpath and runs its body on
   * the first completion of {@code cutter}. The body defines the bash script's functions through
   * zsh's bashcompinit, whose {@code complete} registers them for later completions, then
   * completes this first one with them. The options the bash script sets for zsh stay local to
   * this first call, and its {@code compopt} alias (which the functions, defined before it, could
   * not use: "command not found") is taken back, so they skip it.
   */
  public static String zsh() {
    return "#compdef cutter\n"
        + "# cutter's completion for zsh: the bash completion script generated from cutter's commands, run\n"
        + "# through zsh's bash completion emulation.\n"
        + "setopt localoptions\n"
        + "autoload -U +X bashcompinit && bashcompinit\n"
        + bash()
        + "\nunalias compopt 2>/dev/null\n"
        + "_bash_complete -F _complete_cutter -o default \"$@\"\n";
  }
}
