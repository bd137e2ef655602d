package dev.cutter.core.integrity;

import java.time.Instant;

/** The authorization's {@code expires_at} against the time the run checked it (both UTC). */
public record ExpiryResult(Instant expiresAt, Instant checkedAt) {

  public boolean passed() {
    return checkedAt.isBefore(expiresAt);
  }

  public String summary() {
    return passed()
        ? "authorization: valid until " + expiresAt + " (UTC)"
        : "authorization: expired at " + expiresAt + " (UTC), checked at " + checkedAt;
  }
}
