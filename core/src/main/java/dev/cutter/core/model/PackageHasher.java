package dev.cutter.core.model;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.check.Problems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions.FlowStyle;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * {@code cutter package hash}: recomputes the sha256 of every artifact and rewrites only those
 * values in package.yaml's text, found through the YAML nodes' positions, so that comments,
 * order, quoting and every other byte stay as they were. A missing {@code sha256} is added next
 * to its {@code path}. The rest of the package must be valid (hashes aside).
 */
public final class PackageHasher {

  /** One artifact whose pinned hash differs from its file: {@code oldValue} is empty when none was pinned. */
  public record Change(String field, String artifactPath, String oldValue, String newValue) {
    @Override
    public String toString() {
      return field + " (" + artifactPath + "): " + (oldValue.isEmpty() ? "(none)" : oldValue) + " -> " + newValue;
    }
  }

  /** The changes found and package.yaml's text with them applied (the original text when none). */
  public record Result(Path file, List<Change> changes, String updatedText) {
    public Result {
      changes = List.copyOf(changes);
    }

    public boolean upToDate() {
      return changes.isEmpty();
    }
  }

  private record Edit(int start, int end, String replacement) {}

  private final PackageLoader loader;

  public PackageHasher(PackageLoader loader) {
    this.loader = loader;
  }

  /** Computes the changes for the package at {@code pkg} without writing anything. */
  public Result compute(Path pkg) {
    ApplyPackage p = loader.loadIgnoringHashes(pkg);
    Path file = PackageLoader.packageFile(pkg);
    Problems problems = new Problems(file.toString());
    YamlDocument doc = YamlDocument.parse(p.source().toByteArray(), problems)
        .orElseThrow(() -> new CutterException(ExitCodes.INVALID, problems.diagnostics().toString()));
    MappingNode root = (MappingNode) doc.root();
    List<Change> changes = new ArrayList<>();
    List<Edit> edits = new ArrayList<>();
    visit(doc, (MappingNode) child(root, "artifact").orElseThrow(), "artifact", p.artifact(), changes, edits);
    p.rollback().ifPresent(r -> {
      MappingNode rollback = (MappingNode) child(root, "rollback").orElseThrow();
      visit(doc, (MappingNode) child(rollback, "artifact").orElseThrow(), "rollback.artifact", r.artifact(), changes, edits);
    });
    p.online().ifPresent(o -> visit(doc, (MappingNode) child(root, "online").orElseThrow(), "online", o.artifact(), changes,
        edits));
    String text = doc.text();
    StringBuilder b = new StringBuilder(text);
    edits.sort(Comparator.comparingInt(Edit::start).reversed());
    for (Edit e : edits) {
      b.replace(e.start, e.end, e.replacement);
    }
    Result result = new Result(file, changes, b.toString());
    if (!changes.isEmpty()) {
      confirm(result);
    }
    return result;
  }

  /** Writes {@code result.updatedText()} over package.yaml atomically (same permissions). */
  public static void write(Result result) {
    Path file = result.file();
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".package.yaml.", ".tmp");
      try {
        Files.write(tmp, result.updatedText().getBytes(StandardCharsets.UTF_8));
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view != null) {
          Files.setPosixFilePermissions(tmp, view.readAttributes().permissions());
        }
        try {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new CutterException(ExitCodes.INVALID, file + ": cannot write: " + e.getMessage(), e);
    }
  }

  private void visit(YamlDocument doc, MappingNode artifact, String field, ArtifactRef ref, List<Change> changes, List<Edit> edits) {
    String actual = ref.content().sha256();
    if (actual.equals(ref.sha256())) {
      return;
    }
    Optional<NodeTuple> hash = tuple(artifact, "sha256");
    String old = hash.map(t -> t.getValueNode() instanceof ScalarNode s ? s.getValue() : "(not a scalar)").orElse("");
    changes.add(new Change(field + ".sha256", ref.path(), old, actual));
    edits.add(hash.map(t -> replace(doc, t.getValueNode(), actual)).orElseGet(() -> insert(doc, artifact, actual)));
  }

  /** Replaces a value in place, keeping its quotes. */
  private static Edit replace(YamlDocument doc, Node value, String hash) {
    int start = doc.offsetOf(value.getStartMark());
    int end = doc.offsetOf(value.getEndMark());
    if (value instanceof ScalarNode s) {
      ScalarStyle style = s.getScalarStyle();
      if (style == ScalarStyle.SINGLE_QUOTED || style == ScalarStyle.DOUBLE_QUOTED) {
        return new Edit(start + 1, end - 1, hash);
      }
      if (style == ScalarStyle.PLAIN && start == end) {
        return new Edit(start, end, " " + hash); // "sha256:" with nothing after it
      }
      if (style == ScalarStyle.PLAIN) {
        return new Edit(start, end, hash);
      }
    }
    // a block scalar or collection: replace it whole, keeping the line break that ends it
    String old = doc.text().substring(start, end);
    String tail = old.endsWith("\r\n") ? "\r\n" : old.endsWith("\n") ? "\n" : "";
    return new Edit(start, end, " " + hash + tail);
  }

  /** Adds {@code sha256: HASH} after the artifact's last entry. */
  private static Edit insert(YamlDocument doc, MappingNode artifact, String hash) {
    List<NodeTuple> entries = artifact.getValue();
    NodeTuple last = entries.get(entries.size() - 1);
    int afterValue = doc.offsetOf(last.getValueNode().getEndMark());
    if (artifact.getFlowStyle() == FlowStyle.FLOW) {
      return new Edit(afterValue, afterValue, ", sha256: " + hash);
    }
    String text = doc.text();
    int lineEnd = afterValue;
    while (lineEnd < text.length() && text.charAt(lineEnd) != '\n' && text.charAt(lineEnd) != '\r') {
      lineEnd++;
    }
    String newline = text.startsWith("\r\n", lineEnd) || (lineEnd == text.length() && text.contains("\r\n")) ? "\r\n" : "\n";
    String indent = " ".repeat(entries.get(0).getKeyNode().getStartMark().getColumn());
    return new Edit(lineEnd, lineEnd, newline + indent + "sha256: " + hash);
  }

  /** Reads the edited text back: every changed artifact must now pin its new hash. */
  private void confirm(Result result) {
    Problems problems = new Problems(result.file().toString());
    Optional<YamlDocument> doc = YamlDocument.parse(result.updatedText().getBytes(StandardCharsets.UTF_8), problems);
    for (Change c : result.changes()) {
      Optional<String> now = doc.flatMap(d -> pinned(d.root(), c.field()));
      if (!now.equals(Optional.of(c.newValue()))) {
        throw new CutterException(ExitCodes.INVALID, result.file() + ": cannot rewrite " + c.field()
            + " automatically; set it by hand to " + c.newValue());
      }
    }
  }

  private static Optional<String> pinned(Node root, String dottedField) {
    Optional<Node> node = Optional.of(root);
    for (String key : dottedField.split("\\.")) {
      node = node.filter(MappingNode.class::isInstance).flatMap(n -> child((MappingNode) n, key));
    }
    return node.filter(ScalarNode.class::isInstance).map(n -> ((ScalarNode) n).getValue());
  }

  private static Optional<Node> child(MappingNode m, String key) {
    return tuple(m, key).map(NodeTuple::getValueNode);
  }

  private static Optional<NodeTuple> tuple(MappingNode m, String key) {
    return m.getValue().stream()
        .filter(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key))
        .findFirst();
  }
}
