package io.twlab.capture;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Cuts a pcap stream, as tcpdump writes it in chunks of any size, at packet boundaries within a
 * byte budget: what it passes on is always a whole pcap file (the global header and whole
 * records), so that Wireshark reads every packet of a capture that was cut short.
 */
public final class PcapBudget {
  static final int GLOBAL_HEADER = 24;
  static final int RECORD_HEADER = 16;
  /** tcpdump's largest snapshot length: a record claiming more is not a pcap record. */
  private static final int MAX_RECORD = 262_144;

  private final long maxBytes;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private ByteOrder order;
  private long passed;
  private boolean exhausted;

  public PcapBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The whole records (and the global header) that {@code chunk} completes and the budget still allows. */
  public byte[] accept(byte[] chunk) {
    if (exhausted) {
      return new byte[0];
    }
    pending.writeBytes(chunk);
    byte[] buffered = pending.toByteArray();
    int at = 0;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (order == null) {
      if (buffered.length < GLOBAL_HEADER) {
        return new byte[0];
      }
      order = PcapReader.order(buffered);
      out.write(buffered, 0, GLOBAL_HEADER);
      at = GLOBAL_HEADER;
    }
    while (buffered.length - at >= RECORD_HEADER) {
      int length = ByteBuffer.wrap(buffered, at + 8, 4).order(order).getInt();
      if (length < 0 || length > MAX_RECORD) {
        throw new IllegalArgumentException("not a pcap stream: a record of " + length + " bytes");
      }
      int record = RECORD_HEADER + length;
      if (buffered.length - at < record) {
        break;
      }
      if (passed + out.size() + record > maxBytes) {
        exhausted = true;
        break;
      }
      out.write(buffered, at, record);
      at += record;
    }
    pending.reset();
    if (!exhausted) {
      pending.write(buffered, at, buffered.length - at);
    }
    passed += out.size();
    return out.toByteArray();
  }

  /** A record did not fit: the capture has all it may have. */
  public boolean exhausted() {
    return exhausted;
  }

  public long passed() {
    return passed;
  }
}
