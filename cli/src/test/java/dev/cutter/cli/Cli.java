package dev.cutter.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Runs cutter in-process and keeps what it printed. */
record Cli(int exit, String out, String err) {

  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(code, out.toString(), err.toString());
  }

  /** As {@link #run(String...)}, with {@code env} as the environment the commands read (e.g. {@code --passphrase-env}). */
  static Cli run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = CutterCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
    giveEnvironment(cl, env);
    int code = cl.execute(args);
    return new Cli(code, out.toString(), err.toString());
  }

  private static void giveEnvironment(CommandLine cl, Map<String, String> env) {
    for (CommandSpec mixin : cl.getCommandSpec().mixins().values()) {
      if (mixin.userObject() instanceof UsesEnvironment u) {
        u.environment(env);
      }
    }
    if (cl.getCommand() instanceof UsesEnvironment u) {
      u.environment(env);
    }
    cl.getSubcommands().values().forEach(sub -> giveEnvironment(sub, env));
  }
}
