package dev.cutter.core.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A libpq connection service file: INI sections of key=value. */
final class ServiceFile {

  private ServiceFile() {}

  /** The entries of {@code service}, or null when the file has no such section. */
  static Map<String, String> read(Path file, String service) {
    Map<String, String> found = null;
    try {
      for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String line = raw.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        if (line.startsWith("[") && line.endsWith("]")) {
          if (found != null) {
            return found;
          }
          if (line.substring(1, line.length() - 1).strip().equals(service)) {
            found = new LinkedHashMap<>();
          }
        } else if (found != null) {
          int eq = line.indexOf('=');
          if (eq > 0) {
            found.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
          }
        }
      }
    } catch (IOException e) {
      return null;
    }
    return found;
  }
}
