package dev.cutter.core.integrity;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The operator's trust policy (SPEC section 2), which lives on the host, never in a package:
 * whose keys count ({@code keyring}, armored public keys, relative to the trust file) and how
 * many distinct signers are required ({@code require}); optionally whether a package may disable
 * its apply timeouts with {@code off} ({@code allow_timeouts_off}, default true).
 */
public record TrustPolicy(Path file, Path keyringFile, Keyring keyring, int require, boolean allowTimeoutsOff) {

  public TrustPolicy(Path file, Path keyringFile, Keyring keyring, int require) {
    this(file, keyringFile, keyring, require, true);
  }

  /** Where the policy is looked for when neither {@code --trust} nor {@code $CUTTER_TRUST} names one. */
  public static final Path DEFAULT_LOCATION = Path.of("/etc/cutter/trust.yaml");

  public static final String ENV_VARIABLE = "CUTTER_TRUST";

  /** Where the policy was found, or every place looked at (for the message when it was not). */
  public record Location(Optional<Path> file, List<String> lookedAt) {
    public String describeSearch() {
      return "no trust policy found (looked at: " + String.join("; ", lookedAt) + ")";
    }
  }

  /** {@code --trust}, then {@code $CUTTER_TRUST}, then {@link #DEFAULT_LOCATION}; the first that is given is used. */
  public static Location locate(Optional<Path> option, Map<String, String> env) {
    return locate(option, env, DEFAULT_LOCATION);
  }

  static Location locate(Optional<Path> option, Map<String, String> env, Path defaultLocation) {
    List<String> looked = new ArrayList<>();
    if (option.isPresent()) {
      return found(option.get(), "--trust " + option.get(), looked);
    }
    looked.add("--trust (not given)");
    String fromEnv = env.get(ENV_VARIABLE);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return found(Path.of(fromEnv), "$" + ENV_VARIABLE + "=" + fromEnv, looked);
    }
    looked.add("$" + ENV_VARIABLE + " (not set)");
    return found(defaultLocation, defaultLocation.toString(), looked);
  }

  private static Location found(Path file, String label, List<String> looked) {
    if (Files.isRegularFile(file)) {
      return new Location(Optional.of(file), List.copyOf(looked));
    }
    looked.add(label + " (" + (Files.exists(file) ? "not a regular file" : "does not exist") + ")");
    return new Location(Optional.empty(), List.copyOf(looked));
  }

  /** Reads and validates a trust file, and the keyring it names. Any problem: {@link InvalidInputException}, exit 2. */
  public static TrustPolicy load(Path file) {
    String name = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw invalid(name, null, "trust policy file does not exist");
    } catch (IOException e) {
      throw invalid(name, null, "cannot read the trust policy: " + e.getMessage());
    }
    Node root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      throw invalid(name, e.getProblemMark(), "not valid YAML: " + e.getProblem());
    }
    if (!(root instanceof MappingNode map)) {
      throw invalid(name, root == null ? null : root.getStartMark(), "expected a mapping with the keys keyring and require");
    }
    ScalarNode keyringNode = null;
    ScalarNode requireNode = null;
    Boolean allowTimeoutsOff = null;
    for (NodeTuple t : map.getValue()) {
      String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
      if (("keyring".equals(key) && keyringNode != null) || ("require".equals(key) && requireNode != null)) {
        throw invalid(name, t.getKeyNode().getStartMark(), "duplicate key '" + key + "'");
      }
      switch (key) {
        case "keyring" -> keyringNode = scalar(name, t.getValueNode(), "keyring", "a path to armored public keys");
        case "require" -> requireNode = scalar(name, t.getValueNode(), "require", "a whole number of signers, at least 1");
        case "allow_timeouts_off" -> {
          if (allowTimeoutsOff != null) {
            throw invalid(name, t.getKeyNode().getStartMark(), "duplicate key '" + key + "'");
          }
          String v = scalar(name, t.getValueNode(), key, "true or false").getValue();
          if (!v.equals("true") && !v.equals("false")) {
            throw invalid(name, t.getValueNode().getStartMark(), key + ": expected true or false, found '" + v + "'");
          }
          allowTimeoutsOff = v.equals("true");
        }
        default -> throw invalid(name, t.getKeyNode().getStartMark(), "unknown key '" + key
            + "' (expected keyring, require, allow_timeouts_off)");
      }
    }
    if (keyringNode == null) {
      throw invalid(name, map.getStartMark(), "missing key 'keyring' (a path to armored public keys)");
    }
    if (requireNode == null) {
      throw invalid(name, map.getStartMark(), "missing key 'require' (how many distinct signers are needed)");
    }
    int require = parseRequire(name, requireNode);
    Path keyringFile = resolve(file, keyringNode.getValue());
    Keyring keyring = readKeyring(name, keyringNode, keyringFile);
    if (keyring.size() < require) {
      throw invalid(name, requireNode.getStartMark(),
          "require: " + require + " but the keyring " + keyringFile + " holds " + keyring.size() + " key(s): the quorum could never be met");
    }
    return new TrustPolicy(file, keyringFile, keyring, require, allowTimeoutsOff == null || allowTimeoutsOff);
  }

  private static ScalarNode scalar(String name, Node node, String key, String expected) {
    if (node instanceof ScalarNode s && !s.getValue().isBlank()) {
      return s;
    }
    throw invalid(name, node.getStartMark(), key + ": expected " + expected);
  }

  private static int parseRequire(String name, ScalarNode node) {
    try {
      int n = Integer.parseInt(node.getValue().trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(name, node.getStartMark(), "require: expected a whole number of signers, at least 1, found '" + node.getValue() + "'");
  }

  private static Path resolve(Path trustFile, String keyring) {
    Path p = Path.of(keyring);
    Path dir = trustFile.toAbsolutePath().getParent();
    return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
  }

  private static Keyring readKeyring(String name, ScalarNode node, Path keyringFile) {
    byte[] content;
    try {
      content = Files.readAllBytes(keyringFile);
    } catch (IOException e) {
      throw invalid(name, node.getStartMark(), "keyring " + keyringFile + " cannot be read ("
          + (e instanceof NoSuchFileException ? "does not exist" : e.getMessage()) + ")");
    }
    try {
      Keyring keyring = Keyring.parse(content);
      if (keyring.size() == 0) {
        throw new IllegalArgumentException("holds no public key");
      }
      return keyring;
    } catch (IllegalArgumentException e) {
      throw invalid(name, node.getStartMark(), "keyring " + keyringFile + ": " + e.getMessage());
    }
  }

  private static InvalidInputException invalid(String file, Mark mark, String message) {
    return new InvalidInputException(mark == null
        ? new Diagnostic(file, 0, 0, message)
        : new Diagnostic(file, mark.getLine() + 1, mark.getColumn() + 1, message));
  }
}
