package io.twlab.sysctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/sysctl-policy.md is the policy's table: a rule changed in one and not the other fails here. */
class SysctlPolicyDocTest {
  private static final Path DOC = Path.of("..", "docs", "sysctl-policy.md");

  @Test
  void theDocumentedTableIsThePolicy() throws IOException {
    List<String> documented = Files.readAllLines(DOC).stream().filter(l -> l.startsWith("| `")).toList();

    List<String> policy = new SysctlPolicy().rules().stream().map(SysctlPolicyDocTest::row).toList();

    assertEquals(policy, documented);
  }

  private static String row(SysctlRule rule) {
    String values;
    if (rule instanceof SysctlRule.IntRange r) {
      values = "allowed | " + r.min() + " to " + r.max();
    } else if (rule instanceof SysctlRule.IntPair p) {
      values = "allowed | LOW HIGH with " + p.min() + " <= LOW <= HIGH <= " + p.max();
    } else {
      values = "refused | " + ((SysctlRule.Refused) rule).reason();
    }
    return "| `" + rule.key() + "` | " + values + " |";
  }
}
