package dev.cutter.core.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The libpq password file: {@code host:port:database:user:password}, {@code *} matches anything. */
final class PassFile {

  private PassFile() {}

  static Optional<String> lookup(Path file, String host, int port, String db, String user) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.empty();
    }
    String h = host.startsWith("/") || host.equals("127.0.0.1") || host.equals("::1") ? "localhost" : host;
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      List<String> f = fields(line);
      if (f.size() < 5) {
        continue;
      }
      if (matches(f.get(0), host, h) && matches(f.get(1), String.valueOf(port), null)
          && matches(f.get(2), db, null) && matches(f.get(3), user, null)) {
        return Optional.of(f.get(4));
      }
    }
    return Optional.empty();
  }

  private static boolean matches(String pattern, String value, String alias) {
    return pattern.equals("*") || pattern.equals(value) || (alias != null && pattern.equals(alias));
  }

  /** Splits on unescaped ':'; {@code \:} and {@code \\} are escapes; the last field takes the rest. */
  static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        cur.append(line.charAt(++i));
      } else if (c == ':' && out.size() < 4) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
