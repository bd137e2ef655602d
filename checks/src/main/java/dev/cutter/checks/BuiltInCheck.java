package dev.cutter.checks;

import dev.cutter.core.check.CheckType;
import dev.cutter.core.check.Problems;
import dev.cutter.core.model.YamlValue;
import java.util.Optional;
import java.util.function.BiFunction;

/** A built-in check type whose load-time validation is reading its arguments with {@code reader}. */
abstract class BuiltInCheck<A> implements CheckType {

  private final String name;
  private final BiFunction<YamlValue, Problems, Optional<A>> reader;

  BuiltInCheck(String name, BiFunction<YamlValue, Problems, Optional<A>> reader) {
    this.name = name;
    this.reader = reader;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final void validate(YamlValue args, Problems problems) {
    reader.apply(args, problems);
  }
}
