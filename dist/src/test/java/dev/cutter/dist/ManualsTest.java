package dev.cutter.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The completion script and the man pages the build generated (process-classes, before this test)
 * hold every command, subcommand and option of cutter's real command line, and only those.
 */
class ManualsTest {

  private static final Path MANUALS = Path.of("target", "manuals");
  private static final Path BASH = MANUALS.resolve("completion/cutter.bash");
  private static final Path ZSH = MANUALS.resolve("completion/_cutter");
  private static final Path MAN = MANUALS.resolve("man/man1");

  /** Every command of the tree, the root first. */
  private static List<CommandSpec> commands() {
    List<CommandSpec> all = new ArrayList<>();
    collect(Manuals.commandLine().getCommandSpec(), all);
    return all;
  }

  private static void collect(CommandSpec spec, List<CommandSpec> into) {
    into.add(spec);
    for (CommandLine sub : spec.subcommands().values()) {
      collect(sub.getCommandSpec(), into);
    }
  }

  @Test
  void theBuildsFilesAreWhatTheCurrentCommandsGenerate() throws IOException {
    assertThat(Files.readString(BASH, StandardCharsets.UTF_8)).isEqualTo(Manuals.bash());
    assertThat(Files.readString(ZSH, StandardCharsets.UTF_8)).isEqualTo(Manuals.zsh());
    assertThat(Files.readString(ZSH, StandardCharsets.UTF_8)).startsWith("#compdef cutter\n");
  }

  @Test
  void theCompletionScriptHasEverySubcommandAndOptionOfEveryCommandAndNoOther() throws IOException {
    String script = Files.readString(BASH, StandardCharsets.UTF_8);
    List<CommandSpec> commands = commands();
    // 15 verbs (help included), package 4 (new, hash, sign, verify), keys 1, sql 2, report 1, and the root
    assertThat(commands).hasSize(24);
    for (CommandSpec c : commands) {
      // picocli names a command's function after its path, keeping letters, digits and underscores
      String function = function(script, "_picocli_" + c.qualifiedName("_").replaceAll("[^A-Za-z0-9_]", ""));
      // after "cutter help" come the verbs it explains
      List<String> subcommands = c.helpCommand()
          ? c.parent().subcommands().keySet().stream().filter(n -> !n.equals(c.name())).toList()
          : List.copyOf(c.subcommands().keySet());
      assertThat(words(local(function, "commands"))).as(c.qualifiedName() + " subcommands")
          .containsExactlyElementsOf(subcommands);
      Set<String> expected = new LinkedHashSet<>();
      for (OptionSpec o : c.options()) {
        expected.addAll(Arrays.asList(o.names()));
      }
      Set<String> offered = new LinkedHashSet<>(words(local(function, "flag_opts")));
      offered.addAll(words(local(function, "arg_opts")));
      assertThat(offered).as(c.qualifiedName() + " options").containsExactlyInAnyOrderElementsOf(expected);
    }
    assertThat(script).contains("complete -F _complete_cutter -o default cutter ");
  }

  @Test
  void bashCompletesVerbsSubcommandsAndOptionsWithTheScript() throws Exception {
    assertThat(bashComplete("cutter", "dry")).containsExactly("dry-run");
    assertThat(bashComplete("cutter", "package", "si")).containsExactly("sign");
    assertThat(bashComplete("cutter", "package", "sign", "--pass")).containsExactly("--passphrase-env");
    assertThat(bashComplete("cutter", "apply", "--output", "")).containsExactly("text", "json");
  }

  @Test
  void everyCommandHasAManPageNamingEachOfItsOptionsAndSubcommands() throws IOException {
    List<String> pages = new ArrayList<>();
    try (var files = Files.list(MAN)) {
      files.map(p -> p.getFileName().toString()).sorted().forEach(pages::add);
    }
    List<String> expectedPages = commands().stream().map(c -> c.qualifiedName("-") + ".1").sorted().toList();
    assertThat(pages).containsExactlyElementsOf(expectedPages);
    for (CommandSpec c : commands()) {
      String page = plain(Files.readString(MAN.resolve(c.qualifiedName("-") + ".1"), StandardCharsets.UTF_8));
      assertThat(page).as(c.qualifiedName()).contains(".TH \"" + c.qualifiedName("-").toUpperCase(java.util.Locale.ROOT) + "\" \"1\"");
      assertThat(page).contains("cutter " + dev.cutter.core.CutterBuild.version());
      // the synopsis names every option whole, with its parameter label unbroken (a wrapped
      // synopsis once split "--key=SECRET.asc" into "SECRET." and a stray "_ asc_" line)
      String roff = Files.readString(MAN.resolve(c.qualifiedName("-") + ".1"), StandardCharsets.UTF_8);
      String synopsis = roff.substring(roff.indexOf(".SH \"SYNOPSIS\""), roff.indexOf(".SH \"DESCRIPTION\""));
      assertThat(synopsis).as(c.qualifiedName() + " synopsis").doesNotContain("_");
      for (OptionSpec o : c.options()) {
        if (o.arity().max() > 0 && !o.usageHelp() && !o.versionHelp()) {
          assertThat(plain(synopsis)).as(c.qualifiedName() + " synopsis: " + o.longestName())
              .containsPattern("(?:" + Pattern.quote(o.longestName()) + "|" + Pattern.quote(o.shortestName()) + ")=[^\\s\\]]+");
        }
        for (String name : o.names()) {
          assertThat(page).as(c.qualifiedName() + " man page: " + name).containsPattern("(?<![\\w-])" + Pattern.quote(name) + "(?![\\w-])");
        }
      }
      for (String sub : c.subcommands().keySet()) {
        assertThat(page).as(c.qualifiedName() + " man page: " + sub).containsPattern("(?m)^" + Pattern.quote(sub) + "$");
      }
    }
    // the root page carries the exit codes, ESCALATE's included
    String root = plain(Files.readString(MAN.resolve("cutter.1"), StandardCharsets.UTF_8));
    assertThat(root).contains("ESCALATE: the target is not as promised and was not restored; a person must act");
  }

  /** The roff text with its escapes for hyphens, quotes and fonts taken out. */
  private static String plain(String roff) {
    return roff.replace("\\-", "-").replace("\\(aq", "'").replace("\\(cq", "'").replace("\\&", "")
        .replaceAll("\\\\f[BIRP]", "").replaceAll("\\\\f\\(CR", "");
  }

  private static String function(String script, String name) {
    int start = script.indexOf("\nfunction " + name + "() {\n");
    assertThat(start).as("function " + name).isNotNegative();
    int end = script.indexOf("\n}\n", start);
    return script.substring(start, end);
  }

  private static String local(String function, String name) {
    Matcher m = Pattern.compile("\n  local " + name + "=\"([^\"]*)\"\n").matcher(function);
    assertThat(m.find()).as("local " + name).isTrue();
    return m.group(1);
  }

  private static List<String> words(String list) {
    return Arrays.stream(list.split(" ")).filter(w -> !w.isEmpty()).map(w -> w.replace("'", "")).toList();
  }

  /** What the script offers for the last word of {@code words}, through bash's own completion variables. */
  private static List<String> bashComplete(String... words) throws Exception {
    String line = String.join(" ", words);
    StringBuilder array = new StringBuilder();
    for (String w : words) {
      array.append('\'').append(w).append("' ");
    }
    String program = "source " + BASH.toAbsolutePath() + "\n"
        + "COMP_WORDS=(" + array + ")\nCOMP_CWORD=" + (words.length - 1) + "\nCOMP_LINE='" + line + "'\n"
        + "COMP_POINT=${#COMP_LINE}\n_complete_cutter\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    // stderr dropped: compopt complains outside a completion bash runs itself
    Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", program)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().filter(l -> !l.isEmpty()).toList();
  }
}
