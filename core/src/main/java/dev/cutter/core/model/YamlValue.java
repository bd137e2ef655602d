package dev.cutter.core.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A YAML value with its position, so that check types can report problems at file:line:col. */
public sealed interface YamlValue {

  SourcePosition position();

  /** A scalar as written; {@code plain} is false for quoted scalars, {@code tag} the resolved YAML tag. */
  record Scalar(String value, boolean plain, String tag, SourcePosition position) implements YamlValue {
    public boolean isNull() {
      return "tag:yaml.org,2002:null".equals(tag);
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
      entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
      keyPositions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keyPositions));
    }
  }
}
