package dev.cutter.bench.apply;

import java.nio.file.Files;
import java.nio.file.Path;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.resource.DirectoryResourceAccessor;
import org.flywaydb.core.Flyway;

/**
 * Applies one SQL script with Flyway or Liquibase and prints the wall time of the apply alone
 * (after the tool's own start-up); run with WORKDIR as the working directory: {@code Tools flyway|liquibase JDBC_URL SCRIPT WORKDIR}.
 */
public final class Tools {

  private Tools() {}

  public static void main(String[] args) throws Exception {
    String tool = args[0];
    String url = args[1];
    Path script = Path.of(args[2]);
    Path work = Files.createDirectories(Path.of(args[3]));
    long t0;
    switch (tool) {
      case "flyway" -> {
        Files.copy(script, work.resolve("V1__workload.sql"));
        Flyway fw = Flyway.configure().dataSource(url, "postgres", "").locations("filesystem:" + work)
            .validateMigrationNaming(true).load();
        t0 = System.nanoTime();
        fw.migrate();
      }
      case "liquibase" -> {
        System.setProperty("liquibase.analytics.enabled", "false");
        System.setProperty("liquibase.showBanner", "false");
        Files.writeString(work.resolve("changelog.sql"), "--liquibase formatted sql\n\n"
            + "--changeset bench:1 splitStatements:true endDelimiter:;\n" + Files.readString(script));
        t0 = System.nanoTime();
        CommandScope update = new CommandScope("update").addArgumentValue("changelogFile", "changelog.sql")
            .addArgumentValue("url", url).addArgumentValue("username", "postgres");
        Scope.child(Scope.Attr.resourceAccessor.name(), new DirectoryResourceAccessor(work.toFile()),
            () -> update.execute());
      }
      default -> throw new IllegalArgumentException("flyway or liquibase, not " + tool);
    }
    System.out.printf("apply_seconds=%.3f%n", (System.nanoTime() - t0) / 1e9);
  }
}
