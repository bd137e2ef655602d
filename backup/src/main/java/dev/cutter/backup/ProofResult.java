package dev.cutter.backup;

import java.util.List;

/**
 * What a restore proof compared: the scratch server it restored into, how many relations, tables
 * and rows (the sum of the source's exact counts at the dump's snapshot) were compared, and every
 * difference found (empty for a backup that passed; a difference blocks).
 */
public record ProofResult(String scratch, int relationsCompared, int tablesCompared, long rowsCompared,
    List<String> differences) {

  public ProofResult {
    differences = List.copyOf(differences);
  }
}
