package dev.cutter.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** This JVM's class path as another user can read it, for a child cutter run as that user (through runuser). */
public final class ReadableClassPath {

  private ReadableClassPath() {}

  /**
   * The jars linked (or copied) into {@code lib}, a world-readable directory made here, and the
   * modules' class directories as they are (the build tree is readable by all).
   */
  public static String linkedUnder(Path lib) throws IOException {
    Files.createDirectories(lib);
    List<String> entries = new ArrayList<>();
    int i = 0;
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path src = Path.of(e);
      if (Files.isRegularFile(src)) {
        Path dst = lib.resolve((i++) + "-" + src.getFileName());
        try {
          Files.createLink(dst, src);
        } catch (IOException | UnsupportedOperationException x) {
          Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString("rw-r--r--"));
        entries.add(dst.toString());
      } else {
        entries.add(e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
