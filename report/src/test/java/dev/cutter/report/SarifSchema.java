package dev.cutter.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The official SARIF 2.1.0 JSON schema (OASIS, errata 01; draft-04), as a validator for tests. */
public final class SarifSchema {

  public static final String RESOURCE = "/sarif/sarif-schema-2.1.0.json";

  private static final JsonSchema SCHEMA;

  static {
    try (InputStream in = SarifSchema.class.getResourceAsStream(RESOURCE)) {
      SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private SarifSchema() {}

  /** What the schema finds wrong with {@code sarif}, one line per violation; empty when it is valid. */
  public static List<String> violations(String sarif) {
    try {
      JsonNode doc = new ObjectMapper().readTree(sarif);
      return SCHEMA.validate(doc).stream().map(ValidationMessage::getMessage).sorted().toList();
    } catch (IOException e) {
      return List.of("not JSON: " + e.getMessage());
    }
  }
}
