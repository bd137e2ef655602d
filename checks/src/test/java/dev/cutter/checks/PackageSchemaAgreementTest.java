package dev.cutter.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.PackageLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** docs/package.schema.json and the loader accept the same example packages and refuse the same broken ones. */
class PackageSchemaAgreementTest {

  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path EXAMPLES = ROOT.resolve("packages-examples");
  private static final Path BASE = EXAMPLES.resolve("registry-12-tables");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static JsonSchema schema;
  private final PackageLoader loader = PackageLoader.withInstalledChecks();

  @TempDir Path tmp;

  @BeforeAll
  static void readSchema() throws IOException {
    try (InputStream in = Files.newInputStream(ROOT.resolve("docs/package.schema.json"))) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> dirs = Files.list(EXAMPLES)) {
      return dirs.filter(d -> Files.exists(d.resolve("package.yaml"))).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleIsValidForTheSchemaAndTheLoader(Path example) throws IOException {
    assertThat(schemaErrors(example.resolve("package.yaml"))).as("schema errors").isEmpty();

    ApplyPackage p = loader.load(example);

    assertThat(p.id()).isEqualTo(example.getFileName().toString());
    assertThat(Files.readString(example.resolve("package.yaml"))).as("the expected verdict is stated").startsWith("# expect: ");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      unknown top-level key      | 'title: Governance'                    | 'colour: blue\ntitle: Governance'
      header                     | 'apiVersion: cutter/v1'                | 'apiVersion: cutter/v2'
      id                         | 'id: registry-12-tables'               | 'id: Registry'
      risk                       | 'risk: high'                           | 'risk: severe'
      expiry without offset      | 'expires_at: 2030-12-31T23:00:00Z'     | 'expires_at: 2030-12-31T23:00:00'
      system identifier integer  | 'system_identifier: "7390112233445566778"' | 'system_identifier: 7390112233445566778'
      missing apply role         | '  apply_role: gov_owner'              | '  backup_role: gov_owner'
      artifact hash              | '  sha256: "9446a16b'                  | '  sha256: "z446a16b'
      path leaving the package   | 'path: ddl/rollback.sql'               | 'path: ../registry-12-tables/ddl/rollback.sql'
      absolute path              | 'path: ddl/create-registry.sql'        | 'path: /etc/hosts'
      unknown check              | '- rehearse: true'                     | '- rehearsal: true'
      rehearse not a boolean     | '- rehearse: true'                     | '- rehearse: always'
      privilege on wrong object  | 'has: [ USAGE, CREATE ]'               | 'has: [ USAGE, SELECT ]'
      baseline letter            | 'relations: { r: 1, i: 1 }'            | 'relations: { r: 1, q: 1 }'
      baseline count             | 'constraints: { p: 1 }'                | 'constraints: { p: one }'
      object list without schema | '  - objects_absent:\n      schema: governance\n' | '  - objects_absent:\n'
      duration                   | 'lock_timeout: 5s'                     | 'lock_timeout: 5 seconds'
      sub-millisecond timeout    | 'lock_timeout: 5s'                     | 'lock_timeout: 900us'
      zero timeout               | 'statement_timeout: 10min'             | 'statement_timeout: 0s'
      apply mode                 | 'mode: transaction'                    | 'mode: batch'
      retries over the maximum   | 'lock_timeout: 5s'                     | 'lock_timeout: 5s\n  retries: 11'
      retries quoted             | 'lock_timeout: 5s'                     | 'lock_timeout: 5s\n  retries: "2"'
      zero retry wait            | 'lock_timeout: 5s'                     | 'lock_timeout: 5s\n  retry_wait: 0s'
      blocker age not a duration | 'lock_timeout: 5s'                     | 'lock_timeout: 5s\n  max_blocker_age: soon'
      backup without dir         | '  dir: /var/lib/cutter/backups'       | '  # no dir'
      backup scope               | 'scope: { schemas: [ governance ] }'   | 'scope: everything'
      min bytes                  | 'min_bytes: 1024'                      | 'min_bytes: -1'
      backup format              | 'min_bytes: 1024'                      | 'min_bytes: 1024\n  format: tar'
      backup jobs zero           | 'min_bytes: 1024'                      | 'min_bytes: 1024\n  format: directory\n  jobs: 0'
      backup jobs over the bound | 'min_bytes: 1024'                      | 'min_bytes: 1024\n  format: directory\n  jobs: 33'
      jobs with the custom format| 'min_bytes: 1024'                      | 'min_bytes: 1024\n  jobs: 2'
      sql expect not scalar      | 'expect: 0'                            | 'expect: [0]'
      sandbox not a list         | 'setup: [ sandbox/roles.sql, sandbox/schema.sql ]' | 'setup: sandbox/roles.sql'
      """)
  void brokenPackagesAreRefusedByBoth(String why, String from, String to) throws IOException {
    String original = Files.readString(BASE.resolve("package.yaml"));
    String fromText = from.replace("\\n", "\n");
    assertThat(original).as("the variant applies").contains(fromText);
    Path pkg = copyOfBase();
    Files.writeString(pkg.resolve("package.yaml"), original.replace(fromText, to.replace("\\n", "\n")));

    assertThat(schemaErrors(pkg.resolve("package.yaml"))).as("schema refuses: " + why).isNotEmpty();
    assertThatThrownBy(() -> loader.load(pkg)).as("loader refuses: " + why).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void anEmptyPreconditionIsRefusedByBothAndNoneIsAcceptedByBoth() throws IOException {
    String original = Files.readString(BASE.resolve("package.yaml"));
    int from = original.indexOf("  precondition:\n");
    int to = original.indexOf("\nsandbox:");
    Path pkg = copyOfBase();
    Files.writeString(pkg.resolve("package.yaml"), original.substring(0, from) + "  precondition: []" + original.substring(to));
    assertThat(schemaErrors(pkg.resolve("package.yaml"))).as("schema refuses []").isNotEmpty();
    assertThatThrownBy(() -> loader.load(pkg)).as("loader refuses []").isInstanceOf(InvalidInputException.class);

    Files.writeString(pkg.resolve("package.yaml"), original.substring(0, from) + "  precondition: none" + original.substring(to));
    assertThat(schemaErrors(pkg.resolve("package.yaml"))).as("schema accepts none").isEmpty();
    assertThat(loader.load(pkg).rollback()).isPresent();

    Files.writeString(pkg.resolve("package.yaml"), original.replace("  lock_timeout: 5s",
        "  lock_timeout: 5s\n  retries: 3\n  retry_wait: 500ms\n  max_blocker_age: 0s"));
    assertThat(schemaErrors(pkg.resolve("package.yaml"))).as("schema accepts the retry settings").isEmpty();
    assertThat(loader.load(pkg).apply().retries()).isEqualTo(3);

    Files.writeString(pkg.resolve("package.yaml"), original.replace("min_bytes: 1024", "min_bytes: 1024\n  format: directory\n  jobs: 2"));
    assertThat(schemaErrors(pkg.resolve("package.yaml"))).as("schema accepts the directory format").isEmpty();
    assertThat(loader.load(pkg).backup().format()).isEqualTo(dev.cutter.core.model.BackupPolicy.Format.DIRECTORY);
    assertThat(loader.load(pkg).backup().jobs()).isEqualTo(2);

    Files.writeString(pkg.resolve("package.yaml"), original.replace("min_bytes: 1024", "min_bytes: 1024\n  compression: 1"));
    assertThat(schemaErrors(pkg.resolve("package.yaml"))).as("schema accepts a compression level").isEmpty();
    assertThat(loader.load(pkg).backup().compression()).isEqualTo(java.util.OptionalInt.of(1));
    Files.writeString(pkg.resolve("package.yaml"), original.replace("min_bytes: 1024", "min_bytes: 1024\n  compression: 10"));
    assertThat(schemaErrors(pkg.resolve("package.yaml"))).as("schema refuses level 10").isNotEmpty();

    Files.writeString(pkg.resolve("package.yaml"), original.replace("  lock_timeout: 5s", "  lock_timeout: off"));
    assertThat(schemaErrors(pkg.resolve("package.yaml"))).as("schema accepts off").isEmpty();
    assertThat(loader.load(pkg).apply().lockTimeout()).isZero();
  }

  @Test
  void aLintSectionIsReadAlikeAndItsRuleIdsAreTheLintersOwn() throws IOException {
    String original = Files.readString(BASE.resolve("package.yaml"));
    Path pkg = copyOfBase();
    Files.writeString(pkg.resolve("package.yaml"), original + "lint:\n  deny: [drop-table]\n  allow: [index-not-concurrent]\n");
    assertThat(schemaErrors(pkg.resolve("package.yaml"))).as("schema accepts").isEmpty();
    assertThat(loader.load(pkg).lint().allow()).containsExactly(dev.cutter.core.lint.LintRule.INDEX_NOT_CONCURRENT);

    Files.writeString(pkg.resolve("package.yaml"), original + "lint:\n  deny: [no-such-rule]\n");
    assertThat(schemaErrors(pkg.resolve("package.yaml"))).as("schema refuses an unknown rule").isNotEmpty();
    assertThatThrownBy(() -> loader.load(pkg)).as("loader refuses an unknown rule").isInstanceOf(InvalidInputException.class);

    JsonNode schemaIds = YAML.readTree(ROOT.resolve("docs/package.schema.json").toFile())
        .at("/$defs/lintRules/items/enum");
    List<String> ids = new java.util.ArrayList<>();
    schemaIds.forEach(n -> ids.add(n.asText()));
    assertThat(ids).as("the schema lists exactly the rules").isEqualTo(dev.cutter.core.lint.LintRule.ids());
  }

  private Path copyOfBase() throws IOException {
    Path pkg = tmp.resolve("registry-12-tables");
    try (Stream<Path> files = Files.walk(BASE)) {
      files.forEach(f -> {
        try {
          Files.copy(f, pkg.resolve(BASE.relativize(f).toString()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    return pkg;
  }

  private static Set<ValidationMessage> schemaErrors(Path packageYaml) throws IOException {
    JsonNode document = YAML.readTree(packageYaml.toFile());
    return schema.validate(document);
  }
}
