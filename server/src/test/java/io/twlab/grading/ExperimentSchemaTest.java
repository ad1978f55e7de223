package io.twlab.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.twlab.sysctl.SysctlPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The published schema (examples/experiment.schema.json) and the server's reader agree on the examples. */
class ExperimentSchemaTest {
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonSchema schema() throws IOException {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
        .getSchema(JSON.readTree(EXAMPLES.resolve("experiment.schema.json").toFile()));
  }

  private static JsonNode yaml(String text) {
    return JSON.valueToTree(new Yaml().load(text));
  }

  @Test
  void everyExampleIsValidByTheSchemaAndReadByTheServer() throws IOException {
    JsonSchema schema = schema();
    List<Path> examples;
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(examples.size() >= 8, examples.toString());
    for (Path example : examples) {
      String text = Files.readString(example);
      assertEquals(Set.of(), schema.validate(yaml(text)), example.toString());
      ExperimentReader.read(text, new SysctlPolicy());
    }
  }

  @Test
  void theSchemaRefusesWhatTheReaderRefuses() throws IOException {
    JsonSchema schema = schema();
    Set<ValidationMessage> unknownField = schema.validate(yaml("""
        name: x
        lab: {topology: direct, colour: blue}
        runs: [{scenario: nc-timewait, expect: [{count: client TIME_WAIT >= 1 at noon}]}]
        """));
    assertFalse(unknownField.isEmpty());
    assertTrue(unknownField.stream().anyMatch(m -> m.getMessage().contains("colour")), unknownField.toString());
    assertFalse(schema.validate(yaml("""
        name: x
        lab: {topology: star}
        runs: [{scenario: nc-timewait, expect: [{errors: {errno: EADDRNOTAVAIL, value: 1}, sysctl: {node: a, name: b, value: c}}]}]
        """)).isEmpty());
    // A written-out lab: nodes need a role and networks, and the topology is not named as well.
    assertFalse(schema.validate(yaml("""
        name: x
        lab: {networks: [net], nodes: {client: {role: client}, server: {role: server, networks: [net]}}}
        runs: [{scenario: nc-timewait}]
        """)).isEmpty());
    assertFalse(schema.validate(yaml("""
        name: x
        lab: {topology: direct, networks: [net], nodes: {client: {role: client, networks: [net]}}}
        runs: [{scenario: nc-timewait}]
        """)).isEmpty());
    assertFalse(schema.validate(yaml("""
        name: x
        lab: {topology: direct, nodes: {client: {role: client}}}
        runs: [{scenario: nc-timewait}]
        """)).isEmpty());
  }
}
