package dev.cutter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** docs/package.schema.json, loaded once, for tests that check a written package.yaml against it. */
final class PackageSchema {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final JsonSchema SCHEMA = load();

  private PackageSchema() {}

  /** The schema's complaints about {@code packageYaml}; empty when it validates. */
  static Set<ValidationMessage> errors(Path packageYaml) throws IOException {
    return SCHEMA.validate(YAML.readTree(packageYaml.toFile()));
  }

  private static JsonSchema load() {
    try (InputStream in = Files.newInputStream(Path.of("..", "docs", "package.schema.json"))) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
