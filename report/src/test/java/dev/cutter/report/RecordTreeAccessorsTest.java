package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A record's components are read through method handles made once per type, not through
 * {@code Method.invoke}: from the 16th call on, reflection defines a new accessor class at run time
 * for each accessor (15 of them in one apply of the 12-table registry).
 */
class RecordTreeAccessorsTest {

  /** The frames that called each accessor, as the stack shows them with reflection's frames. */
  static final Set<String> CALLERS = ConcurrentHashMap.newKeySet();

  record Probe(String name, int count) {
    @Override
    public String name() {
      // the frames between this accessor and the tree that asked for it
      StackWalker.getInstance(StackWalker.Option.SHOW_REFLECT_FRAMES).walk(frames -> frames.skip(1)
          .takeWhile(f -> !f.getClassName().equals(RecordTree.class.getName()))
          .map(StackWalker.StackFrame::getClassName).toList()).forEach(CALLERS::add);
      return name;
    }
  }

  @Test
  void aRecordsAccessorsAreNeverCalledThroughReflection() {
    RecordTree tree = new RecordTree(e -> e.name(), Map.of(), List.of());
    CALLERS.clear();

    for (int i = 0; i < 40; i++) { // past reflection's 15 calls before it generates an accessor class
      assertThat(tree.write(new Probe("p" + i, i)).toString()).isEqualTo("{\"name\":\"p" + i + "\",\"count\":" + i + "}");
    }

    assertThat(CALLERS).noneMatch(c -> c.startsWith("jdk.internal.reflect.") || c.equals("java.lang.reflect.Method"));
  }
}
