package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.Verdict;
import dev.cutter.report.SecretScanner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The root command: lists the verbs and the exit codes. */
@Command(
    name = "cutter",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    header = "Apply one approved change to one PostgreSQL database, behind gates, and prove what happened.",
    synopsisSubcommandLabel = "COMMAND",
    exitCodeListHeading = "%nExit codes:%n",
    sortOptions = false)
public final class CutterCommand implements Runnable {

  /**
   * stderr carries no secret either: what cutter prints there passes the secret scanner (SPEC
   * section 6). Made on first use, since a run that prints no error does not need it.
   */
  private static final class Stderr {
    static final SecretScanner SCANNER = SecretScanner.forEnvironment(System.getenv(), System.getProperty("user.home"));
  }

  /**
   * The verbs, in the order {@code --help} lists them. They are added to the command line in
   * code rather than listed in the annotation so that a run builds the model of its own verb only:
   * picocli reads each verb's annotations by reflection, and building all of them cost 0.1–0.3 s
   * of start-up.
   */
  private static final Set<String> VERBS = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(List.of("apply", "preflight", "dry-run",
      "verify", "rollback", "backup", "baseline", "target", "history", "init", "package", "keys", "sql", "report", "help")));

  /**
   * A new command object of the verb {@code name} (one of {@link #VERBS}). A switch rather than a map
   * of constructor references: each reference is a call site linked at start-up, on every command's
   * path (4 ms of the main thread's CPU for the 15 of them).
   */
  private static Object newVerb(String name) {
    return switch (name) {
      case "apply" -> new ApplyCommand();
      case "preflight" -> new PreflightCommand();
      case "dry-run" -> new DryRunCommand();
      case "verify" -> new VerifyCommand();
      case "rollback" -> new RollbackCommand();
      case "backup" -> new BackupCommand();
      case "baseline" -> new BaselineCommand();
      case "target" -> new TargetCommand();
      case "history" -> new HistoryCommand();
      case "init" -> new InitCommand();
      case "package" -> new PackageCommand();
      case "keys" -> new KeysCommand();
      case "sql" -> new SqlCommand();
      case "report" -> new ReportCommand();
      case "help" -> new CommandLine.HelpCommand(); // see Handlers
      default -> throw new IllegalArgumentException("no verb " + name);
    };
  }

  @Spec CommandSpec spec;

  @Mixin GlobalOptions global;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The exit-code table shown in {@code --help} (SPEC section 4). */
  static Map<String, String> exitCodes() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("0", "PASS, or every check held (preflight, verify, package verify, backup --selftest)");
    m.put("1", "internal error (a bug): the report says what was known");
    m.put("2", "invalid invocation or invalid package");
    m.put("3", "BLOCKED: a gate refused before any change; or a check failed");
    m.put(String.valueOf(Verdict.FAILED.exitCode()), "FAILED: the change was attempted and rolled back; target verified unchanged");
    m.put(String.valueOf(Verdict.ROLLED_BACK.exitCode()), "ROLLED_BACK: committed, failed verification, rollback restored the baseline");
    m.put(String.valueOf(Verdict.ESCALATE.exitCode()), "ESCALATE: the target is not as promised and was not restored; a person must act");
    return m;
  }

  /** Builds the command line with every verb, cutter's error handling and exit codes. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return commandLine(out, err, null);
  }

  /**
   * The command line for {@code args}: when the first argument names a verb (other than
   * {@code help}), only that verb is built; {@code --version} (or {@code -V}) alone builds none,
   * since it prints the version and nothing else (building all 13 verbs was 60 % of its time);
   * anything else (root options, {@code help}, a typo) gets every verb, so help and error messages
   * see them all.
   */
  static CommandLine commandLineFor(PrintWriter out, PrintWriter err, String... args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      return commandLine(out, err, NO_VERB);
    }
    String verb = args.length > 0 && VERBS.contains(args[0]) && !args[0].equals("help") ? args[0] : null;
    return commandLine(out, err, verb);
  }

  /** A name no verb has: {@link #commandLine(PrintWriter, PrintWriter, String)} then builds none. */
  private static final String NO_VERB = "";

  /** Names of every verb, in {@code --help} order. */
  static Set<String> verbNames() {
    return VERBS;
  }

  private static CommandLine commandLine(PrintWriter out, PrintWriter err, String only) {
    CommandLine cl = new CommandLine(new CutterCommand());
    for (String name : VERBS) {
      if (only == null || only.equals(name)) {
        cl.addSubcommand(name, newVerb(name));
      }
    }
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.getCommandSpec().usageMessage().exitCodeList(exitCodes());
    Handlers handlers = new Handlers();
    cl.setExitCodeExceptionMapper(handlers);
    cl.setParameterExceptionHandler(handlers);
    cl.setExecutionExceptionHandler(handlers);
    return cl;
  }

  /**
   * cutter's exit codes and error handling for picocli. A named class rather than lambdas: picocli's
   * interfaces are Java 5 class files, which the class-data archive can hold only if nothing links
   * them while it is made, and a lambda implementing one does (so they were loaded from the jar and
   * verified on every start).
   */
  private static final class Handlers implements CommandLine.IExitCodeExceptionMapper,
      CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {

    @Override
    public int getExitCode(Throwable ex) {
      return exitCodeOf(ex);
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
      CommandLine c = ex.getCommandLine();
      c.getErr().println(visible(Stderr.SCANNER.mask("cutter: " + ex.getMessage())));
      c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
      return ExitCodes.INVALID;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine c, CommandLine.ParseResult parsed) {
      boolean verbose = parsed.matchedOption("--verbose") != null || isVerbose(parsed);
      if (ex instanceof CutterException ce) {
        String message = ce.exitCode() == ExitCodes.INVALID ? ce.getMessage() : "cutter: " + ce.getMessage();
        c.getErr().println(visible(Stderr.SCANNER.mask(message)));
      } else {
        c.getErr().println(visible(Stderr.SCANNER.mask("cutter: internal error: " + ex
            + (verbose ? "" : " (run with --verbose for the stack trace)"))));
      }
      if (verbose) {
        StringWriter trace = new StringWriter();
        ex.printStackTrace(new PrintWriter(trace));
        c.getErr().print(visible(Stderr.SCANNER.mask(trace.toString())));
      }
      c.getErr().flush();
      return exitCodeOf(ex);
    }
  }

  /**
   * Text as the terminal is to show it (an error, a statement, a path): a character that hides or
   * reorders text (a bidi control, a zero-width or tag character, a line separator) is written as its escape.
   */
  static String visible(String line) {
    return dev.cutter.core.text.YamlText.visibleKeepingBreaks(line);
  }

  private static boolean isVerbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  static int exitCodeOf(Throwable ex) {
    return ex instanceof CutterException ce ? ce.exitCode() : ExitCodes.INTERNAL;
  }
}
