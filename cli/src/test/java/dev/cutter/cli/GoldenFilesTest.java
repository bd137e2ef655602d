package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A golden update cannot pass silently: mismatches fail, and updating is refused where CI is set. */
class GoldenFilesTest {

  @TempDir Path dir;

  private final String given = System.getProperty(GoldenFiles.UPDATE_PROPERTY);

  @BeforeEach
  void noUpdate() {
    System.clearProperty(GoldenFiles.UPDATE_PROPERTY);
  }

  /** Puts back what the build was given (bin/regenerate-goldens runs this class too). */
  @AfterEach
  void restore() {
    if (given == null) {
      System.clearProperty(GoldenFiles.UPDATE_PROPERTY);
    } else {
      System.setProperty(GoldenFiles.UPDATE_PROPERTY, given);
    }
  }

  @Test
  void anUpdateWhereCiIsSetFails() {
    System.setProperty(GoldenFiles.UPDATE_PROPERTY, "true");

    assertThatThrownBy(() -> GoldenFiles.of(dir, Map.of("CI", "true"))).isInstanceOf(IllegalStateException.class)
        .hasMessage("-Dcutter.golden.update=true is refused where CI is set: regenerate the golden files on a"
            + " workstation and commit them after review");
  }

  @Test
  void withoutThePropertyADifferenceFailsAndNothingIsWritten() throws Exception {
    Files.writeString(dir.resolve("a.md"), "old\n");
    GoldenFiles g = GoldenFiles.of(dir, Map.of("CI", "true"));

    assertThatThrownBy(() -> g.check("a.md", "new\n")).isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("output differs from " + dir.resolve("a.md"));
    assertThatThrownBy(() -> g.check("missing.md", "x")).isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("golden file " + dir.resolve("missing.md") + " is missing");
    assertThat(Files.readString(dir.resolve("a.md"))).isEqualTo("old\n");
    assertThat(dir.resolve("missing.md")).doesNotExist();
    g.check("a.md", "old\n");
  }

  @Test
  void onlyTheExplicitPropertyOffCiRewrites() throws Exception {
    Files.writeString(dir.resolve("a.md"), "old\n");
    System.setProperty(GoldenFiles.UPDATE_PROPERTY, "true");
    GoldenFiles g = GoldenFiles.of(dir, Map.of());

    g.check("a.md", "new\n");

    assertThat(Files.readString(dir.resolve("a.md"))).isEqualTo("new\n");
  }

  @Test
  void normaliserKeepsWhatThePackageFixesAndMapsRunIdsInOrder() {
    GoldenNormaliser n = new GoldenNormaliser().keep("2030-12-31T23:00:00Z").port(54321).exact("/tmp/junit-1", "/srv/cutter");

    String out = n.apply("run 20261204T214942Z-8fe1 after 20261204T214000Z-00aa at 2026-12-04T21:49:42.123Z until"
        + " 2030-12-31T23:00:00Z; db cutter_dryrun_20261204t214942z_8fe1 on localhost:54321 by pid 991 in /tmp/junit-1/r");

    assertThat(out).isEqualTo("run 20260518T054609Z-0001 after 20260518T054609Z-0002 at 2026-05-18T05:46:09Z until"
        + " 2030-12-31T23:00:00Z; db cutter_dryrun_20260518t054609z_0001 on localhost:5432 by pid 4242 in /srv/cutter/r");
  }

  @Test
  void aServerVersionInsideATimestampOrADurationIsLeftToTheTimeNormalisation() {
    GoldenNormaliser n = new GoldenNormaliser().version("15.2", "15.x");

    String out = n.apply("server 15.2 at 2026-12-05T04:06:15.23Z and 2026-12-05 04:06:15.2+00, took 15.2 ms");

    assertThat(out).isEqualTo("server 15.x at 2026-05-18T05:46:09Z and 2026-05-18 05:46:09+00, took N ms");
  }
}
