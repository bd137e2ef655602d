package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The root command line: every verb registered, and a run that builds only its own verb behaves the same. */
class CommandLineTest {

  private static CommandLine full() {
    return CutterCommand.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
  }

  @Test
  void everyVerbIsRegisteredUnderTheNameItsAnnotationGives() {
    CommandLine cl = full();
    assertThat(cl.getSubcommands().keySet()).containsExactlyElementsOf(CutterCommand.verbNames());
    cl.getSubcommands().forEach((name, sub) -> assertThat(sub.getCommandSpec().name()).isEqualTo(name));
  }

  @Test
  void aRunOfOneVerbBuildsThatVerbOnly() {
    CommandLine one = CutterCommand.commandLineFor(new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter()), "sql", "split", "x.sql");
    assertThat(one.getSubcommands().keySet()).containsExactly("sql");
    assertThat(one.getSubcommands().get("sql").getSubcommands()).containsKey("split");
  }

  @Test
  void versionAloneBuildsNoVerbAndPrintsTheSameAsWithEveryVerb() {
    for (String flag : new String[] {"--version", "-V"}) {
      CommandLine cl = CutterCommand.commandLineFor(new PrintWriter(new StringWriter()),
          new PrintWriter(new StringWriter()), flag);
      assertThat(cl.getSubcommands()).as(flag).isEmpty();
      Cli lazy = Cli.run(flag);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit = CutterCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(flag);
      assertThat(lazy.exit()).isZero().isEqualTo(exit);
      assertThat(lazy.out()).startsWith("cutter ").isEqualTo(out.toString());
      assertThat(lazy.err()).isEmpty();
    }
    // with anything after it, the whole command line is built as before
    assertThat(CutterCommand.commandLineFor(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
        "--version", "apply").getSubcommands().keySet()).containsExactlyElementsOf(CutterCommand.verbNames());
  }

  @Test
  void rootOptionsHelpAndUnknownWordsGetEveryVerb() {
    for (String[] args : new String[][] {{"--verbose", "sql"}, {"help", "backup"}, {"bakup"}, {}}) {
      CommandLine cl = CutterCommand.commandLineFor(new PrintWriter(new StringWriter()),
          new PrintWriter(new StringWriter()), args);
      assertThat(cl.getSubcommands().keySet()).as(String.join(" ", args))
          .containsExactlyElementsOf(CutterCommand.verbNames());
    }
  }

  @Test
  void rootHelpListsEveryVerbAndAVerbRunsTheSameEitherWay(@TempDir Path dir) throws Exception {
    Cli help = Cli.run("--help");
    assertThat(help.exit()).isZero();
    for (String verb : CutterCommand.verbNames()) {
      assertThat(help.out()).contains("  " + verb + " ");
    }
    Path sql = Files.writeString(dir.resolve("a.sql"), "select 1;\nselect 2;\n");
    Cli lazy = Cli.run("sql", "split", sql.toString(), "--output", "json");
    Cli rootOptionFirst = Cli.run("--output", "json", "sql", "split", sql.toString());
    assertThat(lazy.exit()).isZero();
    assertThat(lazy.out()).contains("select 2");
    assertThat(rootOptionFirst.exit()).isEqualTo(lazy.exit());
    assertThat(rootOptionFirst.out()).isEqualTo(lazy.out());
    Cli typo = Cli.run("bakup", "pkg");
    assertThat(typo.exit()).isEqualTo(ExitCodes.INVALID);
    assertThat(typo.err()).contains("bakup");
  }
}
