package dev.cutter.core.model;

import dev.cutter.core.check.Problems;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A YAML value with its position, so that check types can report problems at file:line:col. */
public sealed interface YamlValue {

  SourcePosition position();

  /**
   * Parses one YAML document (UTF-8, within the limits package.yaml has) into positioned values;
   * every problem goes to {@code problems}; the result is empty when the text is not YAML at all.
   */
  static Optional<YamlValue> parse(String yaml, Problems problems) {
    return YamlDocument.parse(yaml.getBytes(StandardCharsets.UTF_8), problems).map(YamlDocument::value);
  }

  /** A scalar as written; {@code plain} is false for quoted scalars, {@code tag} the resolved YAML tag. */
  record Scalar(String value, boolean plain, String tag, SourcePosition position) implements YamlValue {
    public static final String STR = "tag:yaml.org,2002:str";
    public static final String INT = "tag:yaml.org,2002:int";
    public static final String BOOL = "tag:yaml.org,2002:bool";
    public static final String NULL = "tag:yaml.org,2002:null";
    public static final String FLOAT = "tag:yaml.org,2002:float";
    public static final String TIMESTAMP = "tag:yaml.org,2002:timestamp";

    public boolean isNull() {
      return NULL.equals(tag);
    }

    /** True for a quoted scalar or a plain one that YAML reads as a string (not a number, boolean, null...). */
    public boolean isString() {
      return STR.equals(tag);
    }
  }

  /** A sequence. */
  record Sequence(List<YamlValue> items, SourcePosition position) implements YamlValue {
    public Sequence {
      items = List.copyOf(items);
    }
  }

  /** A mapping with string keys in file order; {@code keyPositions} says where each key stands. */
  record Mapping(Map<String, YamlValue> entries, Map<String, SourcePosition> keyPositions, SourcePosition position)
      implements YamlValue {
    public Mapping {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
      keyPositions = Collections.unmodifiableMap(new LinkedHashMap<>(keyPositions));
    }

    /** The value under {@code key}, if the key is present. */
    public Optional<YamlValue> get(String key) {
      return Optional.ofNullable(entries.get(key));
    }

    /** Where {@code key} stands, or where the mapping starts when the key is absent. */
    public SourcePosition keyPosition(String key) {
      return keyPositions.getOrDefault(key, position);
    }
  }
}
