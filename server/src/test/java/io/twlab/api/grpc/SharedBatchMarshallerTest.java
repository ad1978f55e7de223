package io.twlab.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import io.grpc.protobuf.ProtoUtils;
import io.twlab.event.EventPayload;
import io.twlab.event.LabEvent;
import io.twlab.lab.LabStatus;
import io.twlab.proto.v1.V1;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch written from its events' shared encodings reads back as protobuf wrote it. */
class SharedBatchMarshallerTest {
  private final MappedEvents mapped = new MappedEvents();
  private final SharedBatchMarshaller marshaller =
      new SharedBatchMarshaller(ProtoUtils.marshaller(V1.LabEventBatch.getDefaultInstance()), mapped);

  @Test
  void aBatchReadsBackAsProtobufWroteItAndEachEventIsMappedOnce() throws Exception {
    List<LabEvent> events = new ArrayList<>();
    for (int i = 1; i <= 300; i++) {
      events.add(new LabEvent(i, "lab-1", Instant.ofEpochSecond(1_700_000_000L, i),
          new EventPayload.LabStatusChanged(LabStatus.READY, "event " + i + " " + "x".repeat(i))));
    }
    V1.LabEventBatch batch = V1.LabEventBatch.newBuilder().addAllEvents(events.stream().map(mapped::of).toList())
        .build();

    byte[] shared = marshaller.stream(batch).readAllBytes();

    assertEquals(batch.toByteString(), ByteString.copyFrom(shared), "the same bytes protobuf writes");
    assertEquals(batch, marshaller.parse(new ByteArrayInputStream(shared)));
    assertSame(batch.getEvents(7), mapped.of(events.get(7)), "mapped once, found again by identity");
  }

  @Test
  void anEventMappedElsewhereIsEncodedOnItsOwn() throws Exception {
    V1.LabEvent stranger = V1.LabEvent.newBuilder().setSequence(5).setLabId("lab-2").build();
    V1.LabEventBatch batch = V1.LabEventBatch.newBuilder().addEvents(stranger).build();
    assertEquals(batch, V1.LabEventBatch.parseFrom(marshaller.stream(batch).readAllBytes()));
  }
}
