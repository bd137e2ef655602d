package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.sql.SplitResult;
import dev.cutter.core.sql.SqlListing;
import dev.cutter.core.sql.SqlSplitter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cutter sql split FILE [--json]}: lists the statements exactly as the executor sends
 * them, with their lines and kinds (a COPY … FROM STDIN with the line range of its data, never the
 * data). Rejects (exit 2) only what can never run over a connection: psql meta-commands, binary
 * COPY data, unterminated quotes or comments.
 */
@Command(
    name = "split",
    mixinStandardHelpOptions = true,
    header = "List the statements of a SQL file as psql would send them, with line numbers and kinds.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every statement can be sent (transaction control and non-transactional statements are listed with their kind)",
      "2:the file is missing or unreadable, or holds psql meta-commands, binary COPY data, or unterminated text"
    })
final class SqlSplitCommand implements Runnable {

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The SQL file (UTF-8).")
  Path file;

  @Option(names = "--json", description = "Print a JSON array of {index, start_line, end_line, kind, text}, a COPY"
      + " … FROM STDIN with copy_in {start_line, end_line, lines, bytes, end_marker} (also with --output json).")
  boolean json;

  @Override
  public void run() {
    SplitResult result = SqlSplitter.split(file.toString(), read(file));
    boolean asJson = json || ((CutterCommand) spec.root().userObject()).global.output() == GlobalOptions.OutputFormat.json;
    // What is printed only: a hidden character (bidi control, zero-width, tag) shows as its escape; the text sent is unchanged.
    String listing = asJson ? SqlListing.json(result.statements()) : CutterCommand.visible(SqlListing.text(result.statements()));
    spec.commandLine().getOut().print(listing);
    spec.commandLine().getOut().flush();
    List<Diagnostic> unrunnable = result.unrunnable();
    if (!unrunnable.isEmpty()) {
      throw new InvalidInputException(unrunnable);
    }
  }

  static String read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw CutterException.invalid(file + ": no such file");
    } catch (IOException e) {
      throw CutterException.invalid(file + ": cannot read: " + e.getMessage());
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw CutterException.invalid(file + ": not valid UTF-8; save the file as UTF-8");
    }
  }
}
