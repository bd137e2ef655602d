package dev.cutter.core.check;

import dev.cutter.core.model.YamlValue;

/**
 * A kind of check a package may list under {@code preflight}, {@code verify} or a rollback
 * {@code precondition}, named by the single key of the list entry ({@code - baseline: {...}}).
 *
 * <p>Implementations are discovered with {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/dev.cutter.core.check.CheckType}) and need a public no-argument
 * constructor. They are stateless and thread-safe.
 *
 * <p>This is the load-time part of the contract: when a package is loaded, every entry's
 * arguments are handed to {@link #validate} so that a bad argument is an invalid package (exit 2)
 * reported at its line and column, long before any database is touched. Running a check against
 * a database is a separate concern added to this interface by the executor.
 */
public interface CheckType {

  /** The name used as the entry's key in package.yaml, e.g. {@code schema_exists}. Unique. */
  String name();

  /**
   * Reports every problem with {@code args} (the value under the check's name, with positions)
   * to {@code problems}, whose {@link Problems#context()} is the entry's field path. Must not
   * throw for any input: a value of the wrong shape is a problem to report, not an exception.
   */
  void validate(YamlValue args, Problems problems);
}
