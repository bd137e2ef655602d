package dev.cutter.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structure-aware fuzzing of the loader: a valid package whose values are replaced by random YAML
 * (scalars of every type, flow and block collections, anchors, aliases, tags, deep nesting,
 * unknown keys). Every input either loads or is refused with diagnostics; nothing else escapes,
 * and nothing hangs. Iterations: {@code -Dcutter.fuzz.iterations} (default 300, seconds; nightly
 * 20000), seed: {@code -Dcutter.fuzz.seed}.
 */
class PackageLoaderFuzzTest {

  static final int ITERATIONS = Integer.getInteger("cutter.fuzz.iterations", 300);
  static final long SEED = Long.getLong("cutter.fuzz.seed", 20261122L);

  private static final List<String> KEYS = List.of("apiVersion", "kind", "id", "title", "authorization", "ref",
      "expires_at", "risk", "chain", "target", "database", "system_identifier", "apply_role", "backup_role", "artifact",
      "path", "sha256", "preflight", "backup", "required", "scope", "schemas", "dir", "min_bytes", "encrypt_to",
      "recipient_keys", "apply", "mode", "lock_timeout", "statement_timeout", "verify", "rollback", "precondition",
      "sandbox", "setup", "schema_exists", "rehearse", "<<", "? complex", "x".repeat(300), "ключ", "");

  private static final List<String> SCALARS = List.of("~", "null", "true", "false", "yes", "0", "-1", "1e400",
      "0x1F", "0o17", ".nan", "-.inf", "2030-01-01T00:00:00Z", "2030-13-45T99:99:99Z", "2001-01-01", "500ms", "2h",
      "1 min", "-5s", "999999999999999999999d", "cutter/v1", "ApplyPackage", "ddl/change.sql", "../outside.sql",
      "/etc/passwd", "ddl/../../x", "ddl/", ".", "\"\"", "''", "\"\\u0000\"", "\"\\t\\n\"", "'it''s'", "\"${HOME}\"",
      "!!binary aGVsbG8=", "!!python/object:os.system ls", "!custom x", "!!int abc", "!!float x", "!!timestamp x",
      "*undefined", "&anchor value", "\"é\u2028\uFEFF\"", "0123456789abcdef".repeat(4), "transaction", "autocommit",
      "low", "high", "critical", "app", "\"Audit Log\"", "|\n  block", ">-\n  folded", "\"a\\\"b\"", "%TAG", "@", "`");

  @TempDir Path dir;

  @Test
  void everyRandomPackageLoadsOrIsRefusedWithDiagnostics() {
    Random random = new Random(SEED);
    PackageLoader loader = TestPackages.loader();
    String valid = TestPackages.MINIMAL + "preflight:\n  - schema_exists: app\nbackup:\n  required: false\n"
        + "apply:\n  mode: transaction\n  lock_timeout: 5s\nverify: []\n";
    List<String> lines = valid.lines().toList();
    int refused = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      String yaml = mutate(lines, random);
      Path pkg = dir.resolve("f" + i);
      TestPackages.write(pkg, yaml);
      int n = i;
      boolean ok = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
        try {
          loader.load(pkg);
          return true;
        } catch (InvalidInputException e) {
          assertThat(e.diagnostics()).as("case %d (seed %d) explains itself:\n%s", n, SEED, yaml).isNotEmpty()
              .allSatisfy(d -> {
                assertThat(d.message()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
                assertThat(d.line()).isGreaterThanOrEqualTo(0);
              });
          return false;
        }
      }, () -> "case " + n + " (seed " + SEED + ") hangs:\n" + yaml);
      refused += ok ? 0 : 1;
    }
    assertThat(refused).as("the generator reaches the refusal paths").isPositive();
  }

  /** Replaces 1-4 values (or keys) of the valid package with random YAML, sometimes adding a random subtree. */
  static String mutate(List<String> lines, Random r) {
    String[] out = lines.toArray(String[]::new);
    for (int edits = 1 + r.nextInt(4); edits > 0; edits--) {
      int at = r.nextInt(out.length);
      String line = out[at];
      int colon = line.indexOf(": ");
      String indent = line.substring(0, line.length() - line.stripLeading().length());
      switch (r.nextInt(4)) {
        case 0 -> out[at] = colon < 0 ? line : line.substring(0, colon + 2) + node(r, 0, true);
        case 1 -> out[at] = colon < 0 ? line : indent + pick(KEYS, r) + line.substring(colon);
        case 2 -> out[at] = line + "\n" + indent + pick(KEYS, r) + ": " + node(r, 0, true);
        default -> out[at] = indent + pick(KEYS, r) + ":\n" + block(r, indent + "  ", 0);
      }
    }
    return String.join("\n", out) + "\n";
  }

  /** A flow-style YAML value. */
  static String node(Random r, int depth, boolean top) {
    int kind = depth > 6 ? 0 : r.nextInt(top ? 6 : 5);
    return switch (kind) {
      case 0, 1 -> pick(SCALARS, r).replace("\n", " ");
      case 2 -> "[" + String.join(", ", children(r, depth)) + "]";
      case 3 -> {
        List<String> kids = children(r, depth);
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < kids.size(); i++) {
          b.append(i == 0 ? "" : ", ").append(pick(KEYS, r).replace("? ", "")).append(": ").append(kids.get(i));
        }
        yield b.append("}").toString();
      }
      case 4 -> "&a" + r.nextInt(3) + " [" + String.join(", ", children(r, depth)) + ", *a" + r.nextInt(3) + "]";
      default -> "[".repeat(1 + r.nextInt(200)) + "x" + "]".repeat(1 + r.nextInt(200));
    };
  }

  private static List<String> children(Random r, int depth) {
    int n = r.nextInt(4);
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> node(r, depth + 1, false)).toList();
  }

  /** A block-style YAML subtree. */
  static String block(Random r, String indent, int depth) {
    StringBuilder b = new StringBuilder();
    for (int n = 1 + r.nextInt(3); n > 0; n--) {
      if (r.nextBoolean() || depth > 3) {
        b.append(indent).append("- ").append(node(r, depth, false)).append('\n');
      } else {
        b.append(indent).append(pick(KEYS, r)).append(":\n").append(block(r, indent + "  ", depth + 1));
      }
    }
    return b.toString().stripTrailing();
  }

  private static String pick(List<String> xs, Random r) {
    return xs.get(r.nextInt(xs.size()));
  }

  static String describe(Diagnostic d) {
    return d.toString();
  }
}
