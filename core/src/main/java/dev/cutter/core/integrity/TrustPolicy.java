package dev.cutter.core.integrity;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.SslMode;
import dev.cutter.core.lint.LintRule;
import dev.cutter.core.model.YamlComposer;
import dev.cutter.core.via.PgDumpVia;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The operator's trust policy (SPEC section 2), which lives on the host, never in a package:
 * whose keys count ({@code keyring}, armored public keys, relative to the trust file), who the
 * approvers are and which keys each holds ({@code approvers}), and how many distinct approvers
 * must have signed ({@code require}), and optionally {@code tls: verify-full}: every target that
 * is not on this machine must be reached with the server's certificate and host name verified.
 * The quorum counts people, not keys: an approver's old and new key count once. Optionally,
 * {@code allow_privileged_login} (default false) lets an artifact run by SET ROLE from a login
 * role that holds more than apply_role: a statement could then act as the login role, and the
 * report says so. {@code allow_timeouts_off} (default true) says whether a package may disable its
 * apply timeouts with {@code off}. {@code lint: { floor: [rule ids] }} names lock-hazard rules that
 * are always denied and that no package may allow (a package that allows one is BLOCKED at the
 * authorization gate). {@code pg_dump_via} (with {@code pg_dump_host}, {@code pg_dump_port}) is the
 * command prefix that runs pg_dump and pg_restore where the server lives ({@link PgDumpVia}).
 *
 * <p>A policy written before approvers existed (only {@code keyring} and {@code require}) is
 * read with one approver per key, named by its user id, when that is unambiguous: with
 * {@code require: 1}, or when no two keys share a name or e-mail address in their user ids and
 * every key has one. Otherwise it is refused with one line saying how to list the approvers.
 * {@code derived} is true for such a policy.
 */
public record TrustPolicy(Path file, Path keyringFile, Keyring keyring, int require, List<Approver> approvers,
    boolean derived, TlsRequirement tls, boolean allowPrivilegedLogin, boolean allowTimeoutsOff, Set<LintRule> lintFloor,
    Optional<PgDumpVia> pgDumpVia) {

  /** One person whose signature counts once, whatever number of their keys signed. Fingerprints are primary keys, upper-case hex. */
  public record Approver(String name, List<String> fingerprints) {
    public Approver {
      fingerprints = List.copyOf(fingerprints);
    }
  }

  public TrustPolicy {
    approvers = List.copyOf(approvers);
    lintFloor = lintFloor == null || lintFloor.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(lintFloor));
    pgDumpVia = pgDumpVia == null ? Optional.empty() : pgDumpVia;
  }

  /** A policy that names no pg_dump prefix. */
  public TrustPolicy(Path file, Path keyringFile, Keyring keyring, int require, List<Approver> approvers, boolean derived,
      TlsRequirement tls, boolean allowPrivilegedLogin, boolean allowTimeoutsOff, Set<LintRule> lintFloor) {
    this(file, keyringFile, keyring, require, approvers, derived, tls, allowPrivilegedLogin, allowTimeoutsOff, lintFloor,
        Optional.empty());
  }

  /** A policy without a lint floor. */
  public TrustPolicy(Path file, Path keyringFile, Keyring keyring, int require, List<Approver> approvers, boolean derived,
      TlsRequirement tls, boolean allowPrivilegedLogin, boolean allowTimeoutsOff) {
    this(file, keyringFile, keyring, require, approvers, derived, tls, allowPrivilegedLogin, allowTimeoutsOff, Set.of());
  }

  /** The approver who holds the key with this primary fingerprint, if any. */
  public Optional<Approver> approverOf(String primaryFingerprint) {
    return approvers.stream().filter(a -> a.fingerprints().contains(primaryFingerprint)).findFirst();
  }

  private static final Pattern FINGERPRINT = Pattern.compile("[0-9A-F]{40}|[0-9A-F]{64}");

  /** What the policy asks of the connection to a target. */
  public enum TlsRequirement {
    /** Whatever the target's sslmode says. */
    NONE,
    /** {@code sslmode=verify-full} for every target that is not local (see {@link ConnectionSpec#isLocal()}). */
    VERIFY_FULL
  }

  /** Why a target's connection falls short of the policy: the host, and the sslmode in force. */
  public record TlsRefusal(String host, SslMode inForce) {
    public String message() {
      return "the trust policy requires tls: verify-full for a target that is not local; " + host
          + " would be reached with sslmode " + inForce.libpqName()
          + ": set sslmode=verify-full and sslrootcert in the target";
    }
  }

  /** A policy without a TLS requirement. */
  public TrustPolicy(Path file, Path keyringFile, Keyring keyring, int require, List<Approver> approvers, boolean derived) {
    this(file, keyringFile, keyring, require, approvers, derived, TlsRequirement.NONE, false, true);
  }

  /** A policy that allows no privileged login. */
  public TrustPolicy(Path file, Path keyringFile, Keyring keyring, int require, List<Approver> approvers, boolean derived,
      TlsRequirement tls) {
    this(file, keyringFile, keyring, require, approvers, derived, tls, false, true);
  }

  /** Whether connecting to {@code target} as specified meets the policy; the refusal when not. */
  public Optional<TlsRefusal> tlsRefusal(ConnectionSpec target) {
    if (tls == TlsRequirement.NONE || target.isLocal() || target.tls().effectiveMode() == SslMode.VERIFY_FULL) {
      return Optional.empty();
    }
    return Optional.of(new TlsRefusal(target.host(), target.tls().effectiveMode()));
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
    if (Files.isRegularFile(defaultLocation) && holdsNoPolicy(defaultLocation)) {
      looked.add(defaultLocation + " (holds no policy yet: only comments)");
      return new Location(Optional.empty(), List.copyOf(looked));
    }
    return found(defaultLocation, defaultLocation.toString(), looked);
  }

  /**
   * The installed package puts a commented example at the default location: a file with no YAML
   * in it (only comments and blank lines) is no policy there, as if absent, so every gate that needs
   * one still fails and says where cutter looked, and commands that only read a policy when there
   * is one (dry-run) run as without. A file cutter cannot read or parse is left to {@link #load}.
   */
  static boolean holdsNoPolicy(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      return YamlComposer.compose(text, new LoaderOptions()) == null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
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
    WritableByOthers.check(file).ifPresent(why -> {
      throw invalid(name, null, "trust policy refused: " + why);
    });
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
      root = YamlComposer.compose(text, new LoaderOptions());
    } catch (MarkedYAMLException e) {
      throw invalid(name, e.getProblemMark(), "not valid YAML: " + e.getProblem());
    }
    if (!(root instanceof MappingNode map)) {
      throw invalid(name, root == null ? null : root.getStartMark(), "expected a mapping with the keys keyring, require and approvers");
    }
    ScalarNode keyringNode = null;
    ScalarNode requireNode = null;
    ScalarNode tlsNode = null;
    ScalarNode privilegedNode = null;
    ScalarNode timeoutsOffNode = null;
    Node approversNode = null;
    Node lintNode = null;
    Map<String, ScalarNode> via = new HashMap<>();
    for (NodeTuple t : map.getValue()) {
      String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
      if (("keyring".equals(key) && keyringNode != null) || ("require".equals(key) && requireNode != null)
          || ("approvers".equals(key) && approversNode != null) || ("tls".equals(key) && tlsNode != null)
          || (PRIVILEGED_LOGIN.equals(key) && privilegedNode != null)
          || (TIMEOUTS_OFF.equals(key) && timeoutsOffNode != null) || ("lint".equals(key) && lintNode != null)
          || via.containsKey(key)) {
        throw invalid(name, t.getKeyNode().getStartMark(), "duplicate key '" + key + "'");
      }
      switch (key) {
        case "keyring" -> keyringNode = scalar(name, t.getValueNode(), "keyring", "a path to armored public keys");
        case "require" -> requireNode = scalar(name, t.getValueNode(), "require", "a whole number of approvers, at least 1");
        case "approvers" -> approversNode = t.getValueNode();
        case "tls" -> tlsNode = scalar(name, t.getValueNode(), "tls", "verify-full");
        case PRIVILEGED_LOGIN -> privilegedNode = scalar(name, t.getValueNode(), PRIVILEGED_LOGIN, "true or false");
        case TIMEOUTS_OFF -> timeoutsOffNode = scalar(name, t.getValueNode(), TIMEOUTS_OFF, "true or false");
        case "lint" -> lintNode = t.getValueNode();
        case VIA, VIA_HOST, VIA_PORT -> via.put(key, scalar(name, t.getValueNode(), key, VIA.equals(key)
            ? "a command prefix such as docker exec -i -e PGPASSWORD CONTAINER" : VIA_HOST.equals(key)
            ? "a host name or socket directory" : "a port number"));
        default -> throw invalid(name, t.getKeyNode().getStartMark(),
            "unknown key '" + key + "' (expected keyring, require, approvers, tls, " + PRIVILEGED_LOGIN + ", "
            + TIMEOUTS_OFF + ", lint, " + VIA + ", " + VIA_HOST + ", " + VIA_PORT + ")");
      }
    }
    if (keyringNode == null) {
      throw invalid(name, map.getStartMark(), "missing key 'keyring' (a path to armored public keys)");
    }
    if (requireNode == null) {
      throw invalid(name, map.getStartMark(), "missing key 'require' (how many distinct approvers are needed)");
    }
    int require = parseRequire(name, requireNode);
    Path keyringFile = resolve(file, keyringNode.getValue());
    Keyring keyring = readKeyring(name, keyringNode, keyringFile);
    List<Approver> approvers = approversNode != null
        ? approvers(name, approversNode, keyring, keyringFile)
        : derivedApprovers(name, keyringNode, keyring, require);
    if (approvers.size() < require) {
      throw invalid(name, requireNode.getStartMark(), "require: " + require + " but " + (approversNode != null
          ? "the policy names " + approvers.size() + " approver(s)" : "the keyring " + keyringFile + " holds " + keyring.size() + " key(s)")
          + ": the quorum could never be met");
    }
    if (tlsNode != null && !tlsNode.getValue().equals("verify-full")) {
      throw invalid(name, tlsNode.getStartMark(), "tls: expected verify-full, found '" + tlsNode.getValue() + "'");
    }
    return new TrustPolicy(file, keyringFile, keyring, require, approvers, approversNode == null,
        tlsNode == null ? TlsRequirement.NONE : TlsRequirement.VERIFY_FULL,
        privilegedNode != null && parseBoolean(name, privilegedNode, PRIVILEGED_LOGIN),
        timeoutsOffNode == null || parseBoolean(name, timeoutsOffNode, TIMEOUTS_OFF),
        lintNode == null ? Set.of() : lintFloor(name, lintNode), pgDumpVia(name, file, via));
  }

  /** Runs one check of a pg_dump_via setting; its refusal names the node's file:line:col. */
  private static <T> T via(String name, ScalarNode node, String key, java.util.function.Supplier<T> check) {
    try {
      return check.get();
    } catch (PgDumpVia.Invalid e) {
      throw invalid(name, node.getStartMark(), key + ": " + e.getMessage());
    }
  }

  private static final String VIA = "pg_dump_via";
  private static final String VIA_HOST = "pg_dump_host";
  private static final String VIA_PORT = "pg_dump_port";

  /** {@code pg_dump_via} with its optional {@code pg_dump_host} and {@code pg_dump_port}; each refusal names file:line:col. */
  private static Optional<PgDumpVia> pgDumpVia(String name, Path file, Map<String, ScalarNode> nodes) {
    ScalarNode prefix = nodes.get(VIA);
    if (prefix == null) {
      for (String key : List.of(VIA_HOST, VIA_PORT)) {
        if (nodes.containsKey(key)) {
          throw invalid(name, nodes.get(key).getStartMark(), key + " without " + VIA + ": it says where pg_dump run through"
              + " the prefix connects");
        }
      }
      return Optional.empty();
    }
    ScalarNode portNode = nodes.get(VIA_PORT);
    OptionalInt port = OptionalInt.empty();
    if (portNode != null) {
      try {
        port = OptionalInt.of(Integer.parseInt(portNode.getValue().trim()));
      } catch (NumberFormatException e) {
        throw invalid(name, portNode.getStartMark(), VIA_PORT + ": expected a port number, found '" + portNode.getValue() + "'");
      }
    }
    Optional<String> host = Optional.ofNullable(nodes.get(VIA_HOST)).map(ScalarNode::getValue);
    List<String> words = via(name, prefix, VIA, () -> PgDumpVia.split(prefix.getValue()));
    host.ifPresent(h -> via(name, nodes.get(VIA_HOST), VIA_HOST, () -> PgDumpVia.checkHost(h)));
    OptionalInt p = port;
    p.ifPresent(n -> via(name, portNode, VIA_PORT, () -> PgDumpVia.checkPort(n)));
    return Optional.of(new PgDumpVia(words, host, port, "trust policy " + file));
  }

  /** {@code lint: { floor: [rule ids] }}: every id a known rule. */
  private static Set<LintRule> lintFloor(String name, Node node) {
    if (!(node instanceof MappingNode m)) {
      throw invalid(name, node.getStartMark(), "lint: expected a mapping { floor: [rule ids] }");
    }
    Set<LintRule> out = EnumSet.noneOf(LintRule.class);
    for (NodeTuple t : m.getValue()) {
      String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
      if (!key.equals("floor")) {
        throw invalid(name, t.getKeyNode().getStartMark(), "lint: unknown key '" + key + "' (expected floor)");
      }
      if (!(t.getValueNode() instanceof SequenceNode list)) {
        throw invalid(name, t.getValueNode().getStartMark(), "lint.floor: expected a list of rule ids");
      }
      for (Node item : list.getValue()) {
        String id = item instanceof ScalarNode s ? s.getValue() : "";
        out.add(LintRule.byId(id).orElseThrow(() -> invalid(name, item.getStartMark(), "lint.floor: unknown lint rule '"
            + id + "'; expected one of " + String.join(", ", LintRule.ids()))));
      }
    }
    return out;
  }

  private static final String PRIVILEGED_LOGIN = "allow_privileged_login";
  private static final String TIMEOUTS_OFF = "allow_timeouts_off";

  private static boolean parseBoolean(String name, ScalarNode node, String key) {
    return switch (node.getValue().trim()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(name, node.getStartMark(), key + ": expected true or false, found '" + node.getValue()
          + "'");
    };
  }

  /** {@code approvers: [ {name: ..., keys: [fingerprint, ...]}, ... ]}: every key in the keyring, none listed twice. */
  private static List<Approver> approvers(String file, Node node, Keyring keyring, Path keyringFile) {
    if (!(node instanceof SequenceNode list) || list.getValue().isEmpty()) {
      throw invalid(file, node.getStartMark(), "approvers: expected a list of {name: ..., keys: [fingerprint, ...]}");
    }
    Set<String> inKeyring = new HashSet<>(keyring.fingerprints());
    Map<String, String> ownerOfKey = new HashMap<>();
    Set<String> names = new HashSet<>();
    List<Approver> approvers = new ArrayList<>();
    for (Node item : list.getValue()) {
      if (!(item instanceof MappingNode m)) {
        throw invalid(file, item.getStartMark(), "approvers: expected {name: ..., keys: [fingerprint, ...]}");
      }
      ScalarNode nameNode = null;
      Node keysNode = null;
      for (NodeTuple t : m.getValue()) {
        String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
        switch (key) {
          case "name" -> nameNode = scalar(file, t.getValueNode(), "approvers.name", "the approver's name");
          case "keys" -> keysNode = t.getValueNode();
          default -> throw invalid(file, t.getKeyNode().getStartMark(), "unknown key '" + key + "' (expected name, keys)");
        }
      }
      if (nameNode == null || keysNode == null) {
        throw invalid(file, m.getStartMark(), "approvers: missing key '" + (nameNode == null ? "name" : "keys") + "'");
      }
      String approver = nameNode.getValue().strip();
      if (!names.add(approver.toLowerCase(Locale.ROOT))) {
        throw invalid(file, nameNode.getStartMark(), "approver '" + approver + "' is listed twice: list all of their keys under one entry");
      }
      if (!(keysNode instanceof SequenceNode keys) || keys.getValue().isEmpty()) {
        throw invalid(file, keysNode.getStartMark(), "approvers.keys: expected a list of key fingerprints (40 or 64 hex digits)");
      }
      List<String> fingerprints = new ArrayList<>();
      for (Node k : keys.getValue()) {
        String fpr = k instanceof ScalarNode s ? s.getValue().replace(" ", "").toUpperCase(Locale.ROOT) : "";
        if (!FINGERPRINT.matcher(fpr).matches()) {
          throw invalid(file, k.getStartMark(), "approvers.keys: expected a key fingerprint (40 or 64 hex digits)");
        }
        if (!inKeyring.contains(fpr)) {
          throw invalid(file, k.getStartMark(), "key " + fpr + " of approver '" + approver + "' is not a primary key in the keyring "
              + keyringFile);
        }
        String owner = ownerOfKey.putIfAbsent(fpr, approver);
        if (owner != null) {
          throw invalid(file, k.getStartMark(), "key " + fpr + " is listed for both '" + owner + "' and '" + approver
              + "': a key belongs to one approver");
        }
        fingerprints.add(fpr);
      }
      approvers.add(new Approver(approver, fingerprints));
    }
    return approvers;
  }

  /**
   * A policy without {@code approvers}: one approver per key, named by its user id, only when no
   * two keys could be one person's (a shared name or e-mail address, or a key without user id).
   */
  private static List<Approver> derivedApprovers(String file, ScalarNode keyringNode, Keyring keyring, int require) {
    List<Approver> approvers = new ArrayList<>();
    Map<String, String> claimedBy = new HashMap<>();
    for (Keyring.Certificate c : keyring.certificates()) {
      if (require > 1 && c.userIds().isEmpty()) {
        throw migrate(file, keyringNode, "key " + c.fingerprint() + " has no user id, so cutter cannot tell whose it is");
      }
      for (String identity : identities(c.userIds())) {
        String other = claimedBy.putIfAbsent(identity, c.fingerprint());
        if (require > 1 && other != null && !other.equals(c.fingerprint())) {
          throw migrate(file, keyringNode, "keys " + other + " and " + c.fingerprint() + " both name '" + identity
              + "' and may be one person's");
        }
      }
      approvers.add(new Approver(c.userIds().isEmpty() ? c.fingerprint() : c.userIds().get(0), List.of(c.fingerprint())));
    }
    return approvers;
  }

  private static InvalidInputException migrate(String file, ScalarNode keyringNode, String why) {
    return invalid(file, keyringNode.getStartMark(), why + ": the quorum counts approvers, not keys; list each approver"
        + " with their keys under 'approvers:' (see docs/signing.md)");
  }

  /** The names and e-mail addresses a key's user ids claim, lower-cased: {@code Jane Roe (work) <jane@x.org>} claims both. */
  static Set<String> identities(List<String> userIds) {
    Set<String> out = new HashSet<>();
    for (String uid : userIds) {
      String u = uid.strip().toLowerCase(Locale.ROOT);
      int lt = u.indexOf('<');
      int gt = u.indexOf('>', lt + 1);
      if (lt >= 0 && gt > lt) {
        addIfPresent(out, u.substring(lt + 1, gt));
        u = u.substring(0, lt);
      } else if (u.contains("@") && !u.contains(" ")) {
        addIfPresent(out, u);
        continue;
      }
      int paren = u.indexOf('(');
      addIfPresent(out, (paren >= 0 ? u.substring(0, paren) : u).replaceAll("\\s+", " "));
    }
    return out;
  }

  private static void addIfPresent(Set<String> out, String s) {
    String t = s.strip();
    if (!t.isEmpty()) {
      out.add(t);
    }
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
    throw invalid(name, node.getStartMark(), "require: expected a whole number of approvers, at least 1, found '" + node.getValue() + "'");
  }

  private static Path resolve(Path trustFile, String keyring) {
    Path p = Path.of(keyring);
    Path dir = trustFile.toAbsolutePath().getParent();
    return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
  }

  private static Keyring readKeyring(String name, ScalarNode node, Path keyringFile) {
    WritableByOthers.check(keyringFile).ifPresent(why -> {
      throw invalid(name, node.getStartMark(), "keyring " + keyringFile + " refused: " + why);
    });
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
