package dev.cutter.core.model;

import static dev.cutter.core.model.TestPackages.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.InvalidInputException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A package can never say how pg_dump runs: pg_dump_via (and its host and port) are refused at their key. */
class OperatorOnlyFieldsTest {

  @TempDir Path dir;

  private String refusal(String yaml) {
    Path file = TestPackages.write(dir, yaml);
    return assertThatThrownBy(() -> TestPackages.loader().load(file)).isInstanceOf(InvalidInputException.class)
        .extracting(Throwable::getMessage).asString().actual();
  }

  @Test
  void refusesPgDumpViaInTheBackupSectionInOneLineNamingFileLineAndColumn() {
    String message = refusal(MINIMAL + "backup:\n  required: false\n  pg_dump_via: docker exec -i -e PGPASSWORD db\n");

    assertThat(message).isEqualTo(dir.resolve("package.yaml") + ":18:3: backup.pg_dump_via: not a package field: how"
        + " pg_dump runs is the operator's choice (--pg-dump-via, or pg_dump_via in the trust policy), never the package's");
  }

  @Test
  void refusesItAtTheTopLevelAndUnderTargetToo() {
    assertThat(refusal(MINIMAL + "pg_dump_via: ssh db\n")).isEqualTo(dir.resolve("package.yaml") + ":16:1: pg_dump_via:"
        + " not a package field: how pg_dump runs is the operator's choice (--pg-dump-via, or pg_dump_via in the trust"
        + " policy), never the package's");
    assertThat(refusal(MINIMAL.replace("  apply_role: app_owner\n", "  apply_role: app_owner\n  pg_dump_port: 5433\n")))
        .isEqualTo(dir.resolve("package.yaml") + ":13:3: target.pg_dump_port: not a package field: how pg_dump runs is the"
            + " operator's choice (--pg-dump-via, or pg_dump_port in the trust policy), never the package's");
  }
}
