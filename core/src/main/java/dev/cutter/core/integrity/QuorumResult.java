package dev.cutter.core.integrity;

import java.util.List;

/**
 * How many distinct signers (counted by primary key, so two subkeys of one key count once)
 * signed validly, against how many the trust policy requires. {@code required} is 0 and
 * {@code problem} says why when there was no trust policy to count against.
 */
public record QuorumResult(int required, List<String> signers, String problem) {

  public QuorumResult {
    signers = List.copyOf(signers);
  }

  static QuorumResult noPolicy(String problem) {
    return new QuorumResult(0, List.of(), problem);
  }

  public int valid() {
    return signers.size();
  }

  public boolean passed() {
    return problem.isEmpty() && required > 0 && signers.size() >= required;
  }

  /** e.g. {@code quorum: 2 of 2 required distinct signers valid}. */
  public String summary() {
    if (!problem.isEmpty()) {
      return "quorum: not met: " + problem;
    }
    return "quorum: " + valid() + " of " + required + " required distinct signers valid" + (passed() ? "" : ": not met");
  }
}
