package io.twlab.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.twlab.core.Tenant;
import io.twlab.lab.LabSpec;
import java.time.Instant;
import java.util.Map;

/** The labels twlab puts on Docker objects, and the lab spec stored in them for re-adoption. */
final class LabLabels {
  static final String LAB = "io.twlab.lab";
  static final String OWNER = "io.twlab.owner";
  static final String NODE = "io.twlab.node";
  static final String ROLE = "io.twlab.role";
  static final String NETWORK = "io.twlab.network";
  static final String SPEC = "io.twlab.spec";
  static final String CREATED = "io.twlab.created";
  static final String EXPIRES = "io.twlab.expires";
  /** Whose the lab is: the principal that made it, and its workshop. */
  static final String TENANT = "io.twlab.tenant";
  static final String WORKSHOP = "io.twlab.workshop";
  /** On the kernel tracer's container (not part of any lab): the owner. */
  static final String TRACER = "io.twlab.tracer";
  /** On a node a run added for itself: the run's id. */
  static final String RUN = "io.twlab.run";
  /** On a student's program's container: the slot it fills. */
  static final String PROGRAM = "io.twlab.program";
  /** On a shell's container: the shell's id. */
  static final String SHELL = "io.twlab.shell";

  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

  private LabLabels() {}

  static Map<String, String> lab(String owner, String labId) {
    return Map.of(OWNER, owner, LAB, labId);
  }

  static Map<String, String> node(String owner, String labId, Tenant tenant, String node, String role, LabSpec spec,
      Instant created, Instant expires) {
    return Map.of(OWNER, owner, LAB, labId, TENANT, tenant.owner(), WORKSHOP, tenant.workshop(), NODE, node,
        ROLE, role, SPEC, specJson(spec), CREATED, created.toString(), EXPIRES, expires.toString());
  }

  /** The lab an object belongs to; empty for none. */
  static String labOf(Map<String, String> labels) {
    return labels.getOrDefault(LAB, "");
  }

  /** A lab made before twlab had identities has no tenant labels: only the admin sees it. */
  static Tenant tenant(Map<String, String> labels) {
    return new Tenant(labels.getOrDefault(TENANT, ""), labels.getOrDefault(WORKSHOP, ""));
  }

  static Map<String, String> runNode(String owner, String labId, String node, String role, String runId) {
    return Map.of(OWNER, owner, LAB, labId, NODE, node, ROLE, role, RUN, runId);
  }

  static String specJson(LabSpec spec) {
    try {
      return JSON.writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise lab spec", e);
    }
  }

  static LabSpec spec(String json) {
    try {
      return JSON.readValue(json, LabSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("unreadable lab spec label: " + e.getOriginalMessage(), e);
    }
  }
}
