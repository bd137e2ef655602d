package dev.cutter.core.integrity;

import java.util.List;

/**
 * How many distinct approvers of the trust policy signed validly (an approver's keys, subkeys
 * and repeated signatures count once), against how many the policy requires. {@code approvers}
 * are their names; {@code signers} the primary fingerprint of the signature counted for each, in
 * the same order. {@code required} is 0 and {@code problem} says why when there was no trust
 * policy to count against.
 */
public record QuorumResult(int required, List<String> approvers, List<String> signers, String problem) {

  public QuorumResult {
    approvers = List.copyOf(approvers);
    signers = List.copyOf(signers);
  }

  static QuorumResult noPolicy(String problem) {
    return new QuorumResult(0, List.of(), List.of(), problem);
  }

  public int valid() {
    return approvers.size();
  }

  public boolean passed() {
    return problem.isEmpty() && required > 0 && approvers.size() >= required;
  }

  /** e.g. {@code quorum: 2 of 2 required distinct approvers valid}. */
  public String summary() {
    if (!problem.isEmpty()) {
      return "quorum: not met: " + problem;
    }
    return "quorum: " + valid() + " of " + required + " required distinct approvers valid" + (passed() ? "" : ": not met");
  }
}
