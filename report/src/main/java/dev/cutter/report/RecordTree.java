package dev.cutter.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutter.report.ReportTree.ReportFormatException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Records as Jackson trees and back, by their components: snake_case field names in component
 * order, enums as {@code spelling} says, Instants as RFC 3339 UTC, lists as sequences, null
 * members left out. A {@link Shape} declares where one record type's written form departs from
 * that. Reading inverts writing: absent members read as null (lists as empty, primitives as
 * 0/false), and a value of the wrong kind is a {@link ReportFormatException} naming the field.
 */
final class RecordTree {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** How a scalar type is read: which nodes it accepts (else "expected …"), and its value. */
  private record Scalar(Predicate<JsonNode> is, Function<JsonNode, Object> get, String kind) {}

  private static final Scalar TEXT = new Scalar(JsonNode::isValueNode, JsonNode::asText, "a scalar");
  private static final Scalar INT = new Scalar(JsonNode::isIntegralNumber, JsonNode::intValue, "an integer");
  private static final Scalar LONG = new Scalar(JsonNode::isIntegralNumber, JsonNode::longValue, "an integer");
  private static final Scalar DOUBLE = new Scalar(JsonNode::isNumber, JsonNode::doubleValue, "a number");
  private static final Scalar BOOLEAN = new Scalar(JsonNode::isBoolean, JsonNode::booleanValue, "true or false");
  private static final Map<Class<?>, Scalar> SCALARS = Map.of(String.class, TEXT, int.class, INT, Integer.class, INT,
      long.class, LONG, Long.class, LONG, double.class, DOUBLE, Double.class, DOUBLE, boolean.class, BOOLEAN,
      Boolean.class, BOOLEAN);
  /** What an absent primitive reads as: 0, 0L, 0.0 or false. */
  private static final JsonNode ABSENT_PRIMITIVE = F.numberNode(0);

  /** A value written and read by hand; {@code read} gets the field name for its errors. */
  record Codec<T>(Function<T, JsonNode> write, BiFunction<JsonNode, String, T> read) {}

  /** How a component departs from the defaults. */
  enum Trait {
    /** Not written; read back as null. */
    SKIPPED,
    /** Left out when empty (a list) or false (a boolean). */
    SPARSE,
    /** Reading fails when absent. */
    REQUIRED,
    /** A list that reads back as null, not empty, when absent. */
    NULLABLE,
    /** Written as null when null, not left out. */
    NULLS,
    /** A list written as empty when null. */
    EMPTY
  }

  /** How one record type is written, where it departs from the defaults. */
  static final class Shape<T extends Record> {
    private final Class<T> type;
    private final Map<String, String> names = new HashMap<>();
    private final Map<Trait, Set<String>> traits = new EnumMap<>(Trait.class);
    private final Map<String, Codec<?>> codecs = new HashMap<>();
    private final Map<String, List<Map.Entry<String, Function<T, Object>>>> derived = new HashMap<>();
    private final Map<String, String> sameAs = new HashMap<>();
    private final Map<String, String> nests = new HashMap<>();
    private final Set<String> keptEmpty = new HashSet<>();
    private List<String> order;
    /** The type's components, names and constructor, looked up once (a report has thousands of records of a type). */
    private volatile Layout layout;

    private Shape(Class<T> type) {
      this.type = type;
    }

    static <T extends Record> Shape<T> of(Class<T> type) {
      return new Shape<>(type);
    }

    /** {@code component} is written as {@code field}. */
    Shape<T> rename(String component, String field) {
      names.put(component, field);
      return this;
    }

    /** {@code components} have {@code trait}. */
    Shape<T> with(Trait trait, String... components) {
      traits.computeIfAbsent(trait, t -> new HashSet<>()).addAll(List.of(components));
      return this;
    }

    private boolean is(Trait trait, String component) {
      return traits.getOrDefault(trait, Set.of()).contains(component);
    }

    /** Written in this order instead of the components'. */
    Shape<T> order(String... components) {
      order = List.of(components);
      return this;
    }

    /** {@code component} written and read by {@code codec} (which also writes its null). */
    Shape<T> codec(String component, Codec<?> codec) {
      codecs.put(component, codec);
      return this;
    }

    /** {@code component} left out when it equals {@code other}, and read back as {@code other} when absent. */
    Shape<T> sameAs(String component, String other) {
      sameAs.put(component, other);
      return this;
    }

    /** {@code field}, derived from the record, written after {@code component} and not read. */
    Shape<T> derive(String component, String field, Function<T, Object> value) {
      derived.computeIfAbsent(component, c -> new ArrayList<>()).add(Map.entry(field, value));
      return this;
    }

    /**
     * {@code components} written inside a mapping {@code field} (where the first of them stands),
     * which is left out when empty unless {@code kept}.
     */
    Shape<T> nest(String field, boolean kept, String... components) {
      List.of(components).forEach(c -> nests.put(c, field));
      if (kept) {
        keptEmpty.add(field);
      }
      return this;
    }

    /** Where {@code component} stands in {@code n}: {@code n} itself or its nested mapping. */
    private JsonNode in(JsonNode n, String component) {
      String nest = nests.get(component);
      return nest == null ? n : n.path(nest);
    }

    private String path(String component) {
      String nest = nests.get(component);
      return nest == null ? field(component) : nest + "." + field(component);
    }

    /** The position of {@code component} among the record's components. */
    private int index(String component) {
      return layout().index.getOrDefault(component, -1);
    }

    private String field(String component) {
      String field = layout().fields.get(component);
      return field != null ? field : fieldOf(component);
    }

    private String fieldOf(String component) {
      return names.getOrDefault(component, component.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT));
    }

    /** Made on first use, when the shape is complete; the same for every thread that makes it. */
    private Layout layout() {
      Layout l = layout;
      if (l == null) {
        l = new Layout(this);
        layout = l;
      }
      return l;
    }
  }

  /** How every accessor is called: on any record, its value boxed. */
  private static final MethodType ACCESSOR = MethodType.methodType(Object.class, Record.class);

  /**
   * What reflection says about one record type, asked once: components, accessors, field names,
   * constructor. Accessors are called through method handles made here, not through
   * {@code Method.invoke}: from the 16th call on, reflection defines a new class per accessor at
   * run time (24 while rendering the 12-table registry's report), while a method handle's forms
   * are shared by every accessor of the same shape. The canonical constructor stays reflective: a
   * method handle spread over an argument array spins a class per arity, more than the few
   * constructors called often enough to get a generated class.
   */
  private static final class Layout {
    /** The components in declaration order. */
    final RecordComponent[] all;
    final MethodHandle[] accessors;
    final Type[] genericTypes;
    /** The components in the order they are written, with their positions in {@link #all}. */
    final int[] writeOrder;
    final Map<String, Integer> index = new HashMap<>();
    final Map<String, String> fields = new HashMap<>();
    final Constructor<?> constructor;

    Layout(Shape<?> shape) {
      all = shape.type.getRecordComponents();
      accessors = new MethodHandle[all.length];
      genericTypes = new Type[all.length];
      Class<?>[] types = new Class<?>[all.length];
      for (int i = 0; i < all.length; i++) {
        accessors[i] = handle(all[i]);
        genericTypes[i] = all[i].getGenericType();
        types[i] = all[i].getType();
        index.put(all[i].getName(), i);
        fields.put(all[i].getName(), shape.fieldOf(all[i].getName()));
      }
      List<String> names = Stream.of(all).map(RecordComponent::getName).toList();
      List<Integer> order = new ArrayList<>();
      if (shape.order != null) {
        shape.order.forEach(name -> {
          if (!names.contains(name)) {
            throw new java.util.NoSuchElementException(name);
          }
          order.add(names.indexOf(name));
        });
      }
      for (int i = 0; i < all.length; i++) {
        if (shape.order == null || !shape.order.contains(names.get(i))) {
          order.add(i);
        }
      }
      writeOrder = order.stream().mapToInt(Integer::intValue).toArray();
      Constructor<?> c;
      try {
        c = shape.type.getDeclaredConstructor(types);
      } catch (NoSuchMethodException e) {
        c = null; // a record always has its canonical constructor; reading says so if not
      }
      constructor = c;
    }

    private static MethodHandle handle(RecordComponent c) {
      try {
        return MethodHandles.lookup().unreflect(c.getAccessor()).asType(ACCESSOR);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("cannot read " + c.getAccessor(), e);
      }
    }
  }

  private final Map<Class<?>, Shape<?>> shapes = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Class<?>, ? extends Codec<?>> codecs;
  private final Function<Enum<?>, String> spelling;

  RecordTree(Function<Enum<?>, String> spelling, Map<Class<?>, ? extends Codec<?>> codecs, List<Shape<?>> shapes) {
    this.spelling = spelling;
    this.codecs = codecs;
    shapes.forEach(s -> this.shapes.put(s.type, s));
  }

  // ---- writing -------------------------------------------------------------------------------

  /** {@code value} as a tree; null for null. */
  @SuppressWarnings("unchecked")
  JsonNode write(Object value) {
    if (value == null) {
      return null;
    }
    Codec<Object> codec = (Codec<Object>) codecs.get(value.getClass());
    if (codec != null) {
      return codec.write().apply(value);
    }
    if (value instanceof JsonNode n) {
      return n;
    }
    if (value instanceof String s) {
      return F.textNode(s);
    }
    if (value instanceof Boolean b) {
      return F.booleanNode(b);
    }
    if (value instanceof Number n) {
      return n instanceof Double d ? F.numberNode(d) : n instanceof Long l ? F.numberNode(l) : F.numberNode((Integer) n);
    }
    if (value instanceof Enum<?> e) {
      return F.textNode(spelling.apply(e));
    }
    if (value instanceof Instant t) {
      return F.textNode(ReportTree.timestamp(t));
    }
    if (value instanceof Collection<?> c) {
      ArrayNode a = F.arrayNode();
      c.forEach(e -> a.add(write(e)));
      return a;
    }
    if (value instanceof Map<?, ?> m) {
      ObjectNode o = F.objectNode();
      m.forEach((k, v) -> o.set((String) k, write(v)));
      return o;
    }
    if (value instanceof Record r) {
      return object(r);
    }
    throw new IllegalArgumentException("no tree form for " + value.getClass());
  }

  @SuppressWarnings("unchecked")
  private <T extends Record> ObjectNode object(T r) {
    Shape<T> shape = (Shape<T>) shape(r.getClass());
    Layout layout = shape.layout();
    ObjectNode o = F.objectNode();
    for (int i : layout.writeOrder) {
      String name = layout.all[i].getName();
      if (shape.is(Trait.SKIPPED, name)) {
        continue;
      }
      Object v = get(layout.accessors[i], r);
      v = v == null && shape.is(Trait.EMPTY, name) ? List.of() : v;
      String other = shape.sameAs.get(name);
      if (other != null && v.equals(get(layout.accessors[shape.index(other)], r))) {
        continue;
      }
      Codec<Object> codec = (Codec<Object>) shape.codecs.get(name);
      JsonNode n = codec == null ? write(v) : codec.write().apply(v);
      n = n == null && shape.is(Trait.NULLS, name) ? F.nullNode() : n;
      boolean empty = (v instanceof Collection<?> l && l.isEmpty()) || Boolean.FALSE.equals(v);
      String nest = shape.nests.get(name);
      ObjectNode into = nest == null ? o : o.has(nest) ? (ObjectNode) o.get(nest) : o.putObject(nest);
      if (n != null && !(empty && shape.is(Trait.SPARSE, name))) {
        into.set(shape.field(name), n);
      }
      for (Map.Entry<String, Function<T, Object>> d : shape.derived.getOrDefault(name, List.of())) {
        JsonNode value = write(d.getValue().apply(r));
        if (value != null) {
          o.set(d.getKey(), value);
        }
      }
    }
    if (!shape.nests.isEmpty()) {
      shape.nests.values().stream().filter(x -> o.path(x).isEmpty() && !shape.keptEmpty.contains(x)).forEach(o::remove);
    }
    return o;
  }

  /** The shape of {@code type}: the declared one, or the defaults (made once per type). */
  private Shape<?> shape(Class<?> type) {
    Shape<?> shape = shapes.get(type);
    return shape != null ? shape : shapes.computeIfAbsent(type, t -> Shape.of(t.asSubclass(Record.class)));
  }

  private static Object get(MethodHandle accessor, Record r) {
    try {
      return (Object) accessor.invokeExact(r);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("cannot read a component of " + r.getClass(), e);
    }
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Member {@code field} of {@code parent} read as a {@code type}; null when absent. */
  <T> T read(JsonNode parent, String field, Class<T> type) {
    return type.cast(value(parent.get(field), field, type));
  }

  /** {@code n} itself read as a {@code type}, {@code path} naming it in errors (empty: the top level); null when absent. */
  <T> T readNode(JsonNode n, String path, Class<T> type) {
    return type.cast(value(n, path, type));
  }

  /** Member {@code field} of {@code parent} read as a list of {@code type}; empty when absent. */
  <T> List<T> list(JsonNode parent, String field, Class<T> type) {
    return ((List<?>) items(parent.get(field), field, type)).stream().map(type::cast).toList();
  }

  /** The items of list {@code n}, each named {@code field[i]} (from 1) in errors; empty when absent. */
  private List<Object> items(JsonNode n, String field, Type element) {
    if (absent(n)) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new ReportFormatException(field + ": expected a list");
    }
    List<Object> out = new ArrayList<>(n.size());
    // a scalar item of the right kind is read here, its name made only for an error (a report lists 10,000 integers)
    Scalar scalar = element instanceof Class<?> c && !codecs.containsKey(c) ? SCALARS.get(c) : null;
    for (int i = 0; i < n.size(); i++) {
      JsonNode item = n.get(i);
      out.add(scalar != null && !absent(item) && scalar.is().test(item) ? scalar.get().apply(item)
          : value(item, field + "[" + (i + 1) + "]", element));
    }
    return out;
  }

  private static boolean absent(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode();
  }

  private Object value(JsonNode n, String field, Type type) {
    Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    if (raw == List.class) {
      return items(n, field, ((ParameterizedType) type).getActualTypeArguments()[0]);
    }
    if (raw == Map.class) {
      Map<String, Object> out = new LinkedHashMap<>();
      if (absent(n)) {
        return out;
      }
      if (!n.isObject()) {
        throw new ReportFormatException(field + ": expected a mapping");
      }
      Type value = ((ParameterizedType) type).getActualTypeArguments()[1];
      n.properties().forEach(e -> out.put(e.getKey(), value(e.getValue(), field + "." + e.getKey(), value)));
      return out;
    }
    if (absent(n)) {
      return raw.isPrimitive() ? SCALARS.get(raw).get().apply(ABSENT_PRIMITIVE) : null;
    }
    Codec<?> codec = codecs.get(raw);
    if (codec != null) {
      return codec.read().apply(n, field);
    }
    Scalar scalar = SCALARS.get(raw);
    if (scalar != null) {
      if (!scalar.is().test(n)) {
        throw new ReportFormatException(field + ": expected " + scalar.kind());
      }
      return scalar.get().apply(n);
    }
    if (raw == Instant.class) {
      try {
        return Instant.parse(n.asText());
      } catch (DateTimeParseException e) {
        throw new ReportFormatException(field + ": expected an RFC 3339 UTC timestamp, found '" + n.asText() + "'");
      }
    }
    if (raw.isEnum()) {
      for (Object e : raw.getEnumConstants()) {
        if (spelling.apply((Enum<?>) e).equals(n.asText())) {
          return e;
        }
      }
      throw new ReportFormatException(field + ": unknown value '" + n.asText() + "'");
    }
    if (raw.isRecord()) {
      if (!n.isObject()) {
        throw new ReportFormatException(field + ": expected a mapping");
      }
      return record(n, field, raw.asSubclass(Record.class));
    }
    throw new IllegalArgumentException("no tree form for " + type);
  }

  private <T extends Record> T record(JsonNode n, String at, Class<T> type) {
    Shape<?> shape = shape(type);
    Layout layout = shape.layout();
    RecordComponent[] components = layout.all;
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      String name = c.getName();
      JsonNode v = shape.in(n, name).get(shape.field(name));
      String field = at.isEmpty() ? shape.path(name) : at + "." + shape.path(name);
      if (shape.is(Trait.REQUIRED, name) && absent(v)) {
        throw new ReportFormatException("missing field " + field);
      }
      Codec<?> codec = shape.codecs.get(name);
      args[i] = shape.is(Trait.SKIPPED, name) || (absent(v) && shape.is(Trait.NULLABLE, name)) ? null
          : codec != null && !absent(v) ? codec.read().apply(v, field) : value(v, field, layout.genericTypes[i]);
    }
    for (Map.Entry<String, String> e : shape.sameAs.entrySet()) {
      if (absent(shape.in(n, e.getKey()).get(shape.field(e.getKey())))) {
        args[shape.index(e.getKey())] = args[shape.index(e.getValue())];
      }
    }
    if (layout.constructor == null) {
      throw new IllegalStateException("cannot build " + type + ": no canonical constructor");
    }
    try {
      return type.cast(layout.constructor.newInstance(args));
    } catch (InvocationTargetException e) {
      throw new ReportFormatException(at + ": not a valid " + type.getSimpleName());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type, e);
    }
  }
}
