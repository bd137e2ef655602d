package dev.cutter.core.model;

import dev.cutter.core.check.Problems;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Typed, validating access to {@link YamlValue}s for the package loader and for check types:
 * each method reports what is wrong with a value to {@link Problems} (at the value's position,
 * naming the field and what was expected) and returns what it could read, so that validation
 * goes on and the operator sees every problem at once. Strings must be YAML strings: a plain
 * {@code 123}, {@code true} or {@code null} where a name is expected is refused with "quote it".
 */
public final class YamlFields {

  /** PostgreSQL truncates longer identifiers (NAMEDATALEN - 1). */
  public static final int MAX_IDENTIFIER_BYTES = 63;

  private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
  private static final Pattern MAJOR = Pattern.compile("[1-9][0-9]?");

  private final Problems problems;

  public YamlFields(Problems problems) {
    this.problems = problems;
  }

  /** The sink problems go to. */
  public Problems problems() {
    return problems;
  }

  /** Records a problem with {@code value}: {@code field: message}. */
  public void report(YamlValue value, String field, String message) {
    problems.add(value.position(), field + ": " + message);
  }

  /** How a value is named in messages: "a list", "an integer", "nothing (null)"... */
  public static String describe(YamlValue value) {
    if (value instanceof YamlValue.Mapping) {
      return "a mapping";
    }
    if (value instanceof YamlValue.Sequence) {
      return "a list";
    }
    YamlValue.Scalar s = (YamlValue.Scalar) value;
    return switch (s.tag()) {
      case YamlValue.Scalar.STR -> "a string";
      case YamlValue.Scalar.INT -> "an integer (" + s.value() + ")";
      case YamlValue.Scalar.FLOAT -> "a number (" + s.value() + ")";
      case YamlValue.Scalar.BOOL -> "a boolean (" + s.value() + ")";
      case YamlValue.Scalar.NULL -> "nothing (null)";
      case YamlValue.Scalar.TIMESTAMP -> "a timestamp (" + s.value() + ")";
      default -> "a value tagged " + s.tag();
    };
  }

  /**
   * {@code value} must be a mapping whose keys are among {@code required} and {@code optional},
   * with every {@code required} key present. Unknown keys are reported with the allowed ones.
   * Returns the mapping when it is one (also when keys were wrong, so fields are still checked).
   */
  public Optional<YamlValue.Mapping> mapping(YamlValue value, String field, List<String> required, List<String> optional) {
    if (!(value instanceof YamlValue.Mapping m)) {
      report(value, field, "expected a mapping, got " + describe(value));
      return Optional.empty();
    }
    List<String> allowed = new ArrayList<>(required);
    allowed.addAll(optional);
    for (String key : m.entries().keySet()) {
      if (!allowed.contains(key)) {
        problems.add(m.keyPosition(key), join(field, key) + ": unknown key; allowed: " + String.join(", ", allowed));
      }
    }
    for (String key : required) {
      if (!m.entries().containsKey(key)) {
        problems.add(m.position(), (field.isEmpty() ? "" : field + ": ") + "missing required field '" + key + "'");
      }
    }
    return Optional.of(m);
  }

  /** A non-empty string. */
  public Optional<String> string(YamlValue value, String field) {
    if (value instanceof YamlValue.Scalar s && s.isString()) {
      if (s.value().isBlank()) {
        report(value, field, "must not be empty");
        return Optional.empty();
      }
      return Optional.of(s.value());
    }
    report(value, field, "expected a string, got " + describe(value) + (value instanceof YamlValue.Scalar ? "; quote it" : ""));
    return Optional.empty();
  }

  /** A PostgreSQL name: non-empty and at most 63 bytes in UTF-8 (it is quoted when used). */
  public Optional<String> identifier(YamlValue value, String field) {
    Optional<String> s = string(value, field);
    if (s.isEmpty()) {
      return s;
    }
    String problem = identifierProblem(s.get());
    if (problem != null) {
      report(value, field, problem);
      return Optional.empty();
    }
    return s;
  }

  /** Why {@code name} cannot be a PostgreSQL identifier, or null when it can. */
  public static String identifierProblem(String name) {
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (name.indexOf('\0') >= 0) {
      return "a PostgreSQL name cannot contain a NUL character";
    }
    if (bytes > MAX_IDENTIFIER_BYTES) {
      return "'" + name + "' is " + bytes + " bytes; PostgreSQL would truncate a name longer than "
          + MAX_IDENTIFIER_BYTES + " bytes";
    }
    return null;
  }

  /** The items of a list; reports (and returns nothing for) anything else. */
  public List<YamlValue> list(YamlValue value, String field) {
    if (value instanceof YamlValue.Sequence s) {
      return s.items();
    }
    report(value, field, "expected a list, got " + describe(value));
    return List.of();
  }

  /** A non-empty list of strings. */
  public List<String> strings(YamlValue value, String field) {
    return nonEmptyList(value, field, false);
  }

  /** A non-empty list of PostgreSQL names. */
  public List<String> identifiers(YamlValue value, String field) {
    return nonEmptyList(value, field, true);
  }

  /**
   * The path of item {@code index} (from 0) of the list at {@code field}, counted from 1 as people
   * (and the report's check ids, {@code objects_absent#3}) count: {@code preflight[3]} is the third.
   */
  public static String item(String field, int index) {
    return field + "[" + (index + 1) + "]";
  }

  private List<String> nonEmptyList(YamlValue value, String field, boolean identifiers) {
    List<YamlValue> items = list(value, field);
    if (items.isEmpty() && value instanceof YamlValue.Sequence) {
      report(value, field, "must list at least one " + (identifiers ? "name" : "value"));
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String f = item(field, i);
      (identifiers ? identifier(items.get(i), f) : string(items.get(i), f)).ifPresent(out::add);
    }
    return out;
  }

  /** {@code true} or {@code false}; not yes/no/on/off, which YAML 1.1 and 1.2 readers disagree on. */
  public Optional<Boolean> bool(YamlValue value, String field) {
    if (value instanceof YamlValue.Scalar s && s.plain() && YamlValue.Scalar.BOOL.equals(s.tag())) {
      String v = s.value().toLowerCase(Locale.ROOT);
      if (v.equals("true") || v.equals("false")) {
        return Optional.of(v.equals("true"));
      }
    }
    report(value, field, "expected true or false, got " + describe(value));
    return Optional.empty();
  }

  /** A decimal integer (unquoted) within [{@code min}, {@code max}]. */
  public OptionalLong integer(YamlValue value, String field, long min, long max) {
    if (value instanceof YamlValue.Scalar s && s.plain() && YamlValue.Scalar.INT.equals(s.tag())
        && INTEGER.matcher(s.value()).matches()) {
      try {
        long n = Long.parseLong(s.value());
        if (n >= min && n <= max) {
          return OptionalLong.of(n);
        }
      } catch (NumberFormatException e) {
        // out of range: reported below
      }
      report(value, field, "must be between " + min + " and " + max + ", got " + s.value());
      return OptionalLong.empty();
    }
    report(value, field, "expected a decimal integer, got " + describe(value));
    return OptionalLong.empty();
  }

  /** A PostgreSQL major version, written {@code 16} or {@code "16"}; returned as a string. */
  public Optional<String> majorVersion(YamlValue value, String field) {
    if (value instanceof YamlValue.Scalar s && (s.isString() || YamlValue.Scalar.INT.equals(s.tag()))
        && MAJOR.matcher(s.value()).matches()) {
      return Optional.of(s.value());
    }
    report(value, field, "expected a PostgreSQL major version such as 16, got "
        + (value instanceof YamlValue.Scalar s && s.isString() ? "'" + s.value() + "'" : describe(value)));
    return Optional.empty();
  }

  /** The path of {@code key} under {@code field}. */
  public static String join(String field, String key) {
    return field.isEmpty() ? key : field + "." + key;
  }
}
