package dev.cutter.report;

import dev.cutter.core.run.RunReport.Remediation;
import java.util.ArrayList;
import java.util.List;

/**
 * What went wrong in plain words, the ways out (options A, B, C…) and the one next action: the
 * report's {@code root_cause}, {@code remediation} and {@code next_action}.
 */
public record Diagnosis(String rootCause, List<Remediation> remediation, String nextAction) {

  public Diagnosis {
    remediation = remediation == null ? List.of() : List.copyOf(remediation);
  }

  /** A diagnosis whose options are lettered A, B, C… in the order given. */
  static Diagnosis of(String rootCause, String nextAction, String... options) {
    List<Remediation> lettered = new ArrayList<>();
    for (int i = 0; i < options.length; i++) {
      lettered.add(new Remediation(String.valueOf((char) ('A' + i)), options[i]));
    }
    return new Diagnosis(rootCause, lettered, nextAction);
  }

  /** This diagnosis with another root cause. */
  Diagnosis withRootCause(String cause) {
    return new Diagnosis(cause, remediation, nextAction);
  }
}
