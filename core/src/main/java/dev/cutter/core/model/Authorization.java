package dev.cutter.core.model;

import java.time.Instant;
import java.util.List;

/** Who approved the change and until when; echoed in the report. */
public record Authorization(String ref, Instant expiresAt, Risk risk, List<String> chain) {
  public Authorization {
    chain = List.copyOf(chain);
  }
}
