package dev.cutter.core.lint;

import java.util.List;
import java.util.Set;

/**
 * Whether {@code ALTER COLUMN … TYPE} rewrites the table, as PostgreSQL decides it: no rewrite
 * when the cast is binary coercible and no length coercion remains (varchar(n) to text), or the
 * type stays and only its modifier grows (varchar, varbit, numeric precision at equal scale,
 * timestamp/time precision); any {@code USING} expression is taken to rewrite.
 */
final class TypeChange {

  private static final Set<String> LENGTH_GROWS_FREELY = Set.of("varchar", "varbit");
  private static final Set<String> PRECISION_GROWS_FREELY = Set.of("timestamp", "timestamptz", "time", "timetz");
  private static final int VARHDRSZ = 4;

  private TypeChange() {}

  /**
   * The type modifier PostgreSQL stores for {@code typeName} written with {@code mods}
   * (e.g. varchar(20) → 24, numeric(10,2) → 655366); -1 for none or a type cutter does not model.
   */
  static int typmod(String typeName, List<Integer> mods) {
    if (mods.isEmpty()) {
      return -1;
    }
    return switch (typeName) {
      case "varchar", "bpchar" -> mods.get(0) + VARHDRSZ;
      case "bit", "varbit" -> mods.get(0);
      case "numeric" -> ((mods.get(0) << 16) | (mods.size() > 1 ? mods.get(1) : 0)) + VARHDRSZ;
      case "timestamp", "timestamptz", "time", "timetz" -> mods.get(0);
      default -> -1;
    };
  }

  /** Whether changing a column of {@code old} to {@code newOid}/{@code newTypmod} rewrites it. */
  static boolean rewrites(LintCatalog.Column old, long newOid, String newName, int newTypmod, boolean using,
      LintCatalog catalog) {
    if (using) {
      return true;
    }
    if (old.typeOid() == newOid) {
      return !sameTypeKeepsRows(newName, old.typmod(), newTypmod);
    }
    return !(catalog.binaryCoercible(old.typeOid(), newOid) && newTypmod == -1);
  }

  private static boolean sameTypeKeepsRows(String type, int oldMod, int newMod) {
    if (oldMod == newMod || newMod == -1 && !type.equals("bpchar") && !type.equals("bit")) {
      return true;
    }
    if (LENGTH_GROWS_FREELY.contains(type) || PRECISION_GROWS_FREELY.contains(type)) {
      return oldMod != -1 && newMod >= oldMod;
    }
    if (type.equals("numeric")) {
      if (oldMod == -1) {
        return false;
      }
      int oldScale = (oldMod - VARHDRSZ) & 0xffff;
      int newScale = (newMod - VARHDRSZ) & 0xffff;
      int oldPrecision = ((oldMod - VARHDRSZ) >> 16) & 0xffff;
      int newPrecision = ((newMod - VARHDRSZ) >> 16) & 0xffff;
      return oldScale == newScale && newPrecision >= oldPrecision;
    }
    return false;
  }
}
