package io.twlab.api.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.grpc.MethodDescriptor;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabEventBatch;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link LabEventBatch} from its events' shared encodings ({@link MappedEvents}) instead
 * of encoding every event again for every watcher: a batch is its events, each as field 1 (a
 * length-delimited message), so it is the events' bytes with a tag and a length before each.
 * Reading is protobuf's own.
 */
final class SharedBatchMarshaller implements MethodDescriptor.Marshaller<LabEventBatch> {
  private static final int EVENTS_TAG = (LabEventBatch.EVENTS_FIELD_NUMBER << 3) | 2;

  private final MethodDescriptor.Marshaller<LabEventBatch> protobuf;
  private final MappedEvents mapped;

  SharedBatchMarshaller(MethodDescriptor.Marshaller<LabEventBatch> protobuf, MappedEvents mapped) {
    this.protobuf = protobuf;
    this.mapped = mapped;
  }

  @Override
  public InputStream stream(LabEventBatch batch) {
    List<ByteString> events = new ArrayList<>(batch.getEventsCount());
    int size = 0;
    for (LabEvent event : batch.getEventsList()) {
      ByteString encoded = mapped.encoded(event);
      events.add(encoded);
      size += CodedOutputStream.computeUInt32SizeNoTag(EVENTS_TAG)
          + CodedOutputStream.computeUInt32SizeNoTag(encoded.size()) + encoded.size();
    }
    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      for (ByteString encoded : events) {
        out.writeUInt32NoTag(EVENTS_TAG);
        out.writeUInt32NoTag(encoded.size());
        out.writeRawBytes(encoded);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("encoding a batch of " + events.size() + " events", e);
    }
    return new ByteArrayInputStream(bytes);
  }

  @Override
  public LabEventBatch parse(InputStream stream) {
    return protobuf.parse(stream);
  }
}
