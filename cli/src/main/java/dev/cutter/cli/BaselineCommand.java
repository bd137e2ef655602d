package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.BaselineBlock;
import dev.cutter.core.catalog.BaselineReader;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cutter baseline}: the live catalog counts of schemas, as package {@code baseline} checks. */
@Command(name = "baseline", mixinStandardHelpOptions = true,
    description = "Print the baseline check of each schema (constraint counts by contype, relation counts by relkind) "
        + "from the live catalog, ready to paste under preflight: or verify:. Reads only.")
final class BaselineCommand implements Callable<Integer> {

  /** Made on first use: only {@code --output json} writes JSON, and every run that builds this verb would load Jackson. */
  private static final class Json {
    static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();
  }

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Option(names = "--schema", paramLabel = "S", required = true, description = "A schema to read (repeatable).")
  List<String> schemas = new ArrayList<>();

  @Override
  public Integer call() {
    ConnectionSpec target = connection.resolve();
    Baseline baseline;
    try (Connection c = Connections.openReadOnly(target, "cutter baseline")) {
      baseline = BaselineReader.read(c, schemas);
      c.rollback();
    } catch (SQLException e) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, "reading the baseline on " + target.display() + " failed: "
          + DbErrors.oneLine(e), e);
    }
    List<String> missing = schemas.stream().map(Identifiers::truncate).distinct()
        .filter(s -> !baseline.schemas().containsKey(s)).map(Identifiers::quote).toList();
    if (!missing.isEmpty()) {
      throw CutterException.invalid("--schema: no schema " + String.join(", ", missing) + " in database "
          + target.database() + " on " + target.display());
    }
    PrintWriter out = spec.commandLine().getOut();
    List<String> read = schemas.stream().map(Identifiers::truncate).distinct().toList();
    GlobalOptions global = spec.root().commandLine().<CutterCommand>getCommand().global;
    if (global.output() == GlobalOptions.OutputFormat.json) {
      // one JSON array of the same check entries (JSON is YAML too: it pastes under preflight: or verify:)
      try {
        out.println(Json.MAPPER.writeValueAsString(read.stream().map(s -> BaselineBlock.entryData(baseline.schemas().get(s))).toList()));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    } else {
      read.forEach(s -> out.println(BaselineBlock.entry(baseline.schemas().get(s))));
    }
    out.flush();
    return ExitCodes.OK;
  }
}
