package dev.cutter.core.run;

/** A gate's outcome; gates after a stop are NOT_RUN. */
public enum GateStatus { PASS, FAIL, SKIPPED, NOT_RUN }
