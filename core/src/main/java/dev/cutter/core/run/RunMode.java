package dev.cutter.core.run;

/** What kind of run a report describes. */
public enum RunMode { APPLY, DRY_RUN, PREFLIGHT, VERIFY, ROLLBACK, BACKUP }
