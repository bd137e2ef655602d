package dev.cutter.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** {@code --version}: the version and the git commit the jar was built from. */
final class VersionProvider implements CommandLine.IVersionProvider {

  @Override
  public String[] getVersion() {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to "unknown"
    }
    String version = clean(p.getProperty("version"));
    String commit = clean(p.getProperty("commit"));
    String dirty = "true".equals(clean(p.getProperty("dirty"))) ? "-dirty" : "";
    return new String[] {
      "cutter " + version + " (commit " + commit + dirty + ")",
      "Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
    };
  }

  private static String clean(String s) {
    return s == null || s.isBlank() || s.startsWith("${") ? "unknown" : s.trim();
  }
}
