package dev.cutter.cli;

import dev.cutter.core.CutterBuild;
import picocli.CommandLine;

/** {@code --version}: the version and the git commit the jar was built from, as every report names them. */
final class VersionProvider implements CommandLine.IVersionProvider {

  @Override
  public String[] getVersion() {
    return new String[] {
      "cutter " + CutterBuild.version() + " (commit " + CutterBuild.commit() + ")",
      "Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
    };
  }
}
