package dev.cutter.cli;

import java.util.Map;

/** An option group that reads environment variables; tests hand it an environment of their own. */
interface UsesEnvironment {
  void environment(Map<String, String> env);
}
