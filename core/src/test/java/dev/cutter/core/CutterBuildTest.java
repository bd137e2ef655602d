package dev.cutter.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The build's version and commit, filtered into build.properties; unknown without git. */
class CutterBuildTest {

  @Test
  void theVersionIsTheProjectsAndTheCommitIsAnAbbreviatedHashOrUnknown() {
    assertThat(CutterBuild.version()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    assertThat(CutterBuild.commit()).matches("[0-9a-f]{12}(-dirty)?|unknown");
  }

  @Test
  void anUnfilteredOrMissingValueReadsAsUnknown() {
    assertThat(CutterBuild.clean("${git.commit.id.abbrev}")).isEqualTo("unknown");
    assertThat(CutterBuild.clean(null)).isEqualTo("unknown");
    assertThat(CutterBuild.clean(" ")).isEqualTo("unknown");
    assertThat(CutterBuild.clean("d1ff9146c3f9")).isEqualTo("d1ff9146c3f9");
  }
}
