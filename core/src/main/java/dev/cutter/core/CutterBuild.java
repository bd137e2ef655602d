package dev.cutter.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of cutter and the git commit it was built from, embedded at build time
 * ({@code build.properties}, filtered by Maven); {@code unknown} when the build had no git
 * checkout to read.
 */
public final class CutterBuild {

  public static final String UNKNOWN = "unknown";

  private static final Properties PROPERTIES = load();

  private CutterBuild() {}

  /** E.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    return clean(PROPERTIES.getProperty("version"));
  }

  /** The abbreviated commit, with {@code -dirty} when the tree had uncommitted changes; or {@code unknown}. */
  public static String commit() {
    String commit = clean(PROPERTIES.getProperty("commit"));
    return commit.equals(UNKNOWN) || !"true".equals(clean(PROPERTIES.getProperty("dirty"))) ? commit : commit + "-dirty";
  }

  /** A property as filtered; an unresolved {@code ${…}} (no git) or a missing file reads as unknown. */
  static String clean(String s) {
    return s == null || s.isBlank() || s.contains("${") ? UNKNOWN : s.trim();
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = CutterBuild.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // unknown, as without the file
    }
    return p;
  }
}
