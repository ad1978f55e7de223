package io.twlab.capture;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the TCP segments over IPv4 of a pcap file, as tcpdump writes it: link types Ethernet,
 * Linux cooked (v1 and v2, which {@code -i any} writes); other packets are skipped.
 */
public final class PcapReader {
  private static final int MAGIC_MICROS = 0xa1b2c3d4;
  private static final int MAGIC_NANOS = 0xa1b23c4d;
  private static final int ETHERNET = 1;
  private static final int LINUX_SLL = 113;
  private static final int LINUX_SLL2 = 276;
  private static final int IPV4 = 0x0800;
  private static final int TCP = 6;
  /** The Linux cooked header's packet type of a packet the capturing host sent. */
  private static final int OUTGOING = 4;

  private PcapReader() {}

  /** The byte order of a pcap file, from its magic number. */
  static ByteOrder order(byte[] header) {
    int little = ByteBuffer.wrap(header, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (little == MAGIC_MICROS || little == MAGIC_NANOS) {
      return ByteOrder.LITTLE_ENDIAN;
    }
    int big = ByteBuffer.wrap(header, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt();
    if (big == MAGIC_MICROS || big == MAGIC_NANOS) {
      return ByteOrder.BIG_ENDIAN;
    }
    throw new IllegalArgumentException("not a pcap file (magic " + Integer.toHexString(little) + ")");
  }

  /** Every TCP segment of the file, in the order captured; a record cut short ends the reading. */
  public static List<CapturedPacket> read(byte[] pcap) {
    if (pcap.length < PcapBudget.GLOBAL_HEADER) {
      return List.of();
    }
    ByteBuffer file = ByteBuffer.wrap(pcap).order(order(pcap));
    boolean nanos = file.getInt(0) == MAGIC_NANOS;
    int link = file.getInt(20);
    List<CapturedPacket> packets = new ArrayList<>();
    int at = PcapBudget.GLOBAL_HEADER;
    while (at + PcapBudget.RECORD_HEADER <= pcap.length) {
      long seconds = Integer.toUnsignedLong(file.getInt(at));
      long fraction = Integer.toUnsignedLong(file.getInt(at + 4));
      int length = file.getInt(at + 8);
      int data = at + PcapBudget.RECORD_HEADER;
      if (length < 0 || data + length > pcap.length) {
        break;
      }
      Instant time = Instant.ofEpochSecond(seconds, nanos ? fraction : fraction * 1000);
      try {
        segment(ByteBuffer.wrap(pcap, data, length).slice().order(ByteOrder.BIG_ENDIAN), link, time)
            .ifPresent(packets::add);
      } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
        // A packet cut by the snapshot length: not a whole TCP header.
      }
      at = data + length;
    }
    return packets;
  }

  private static java.util.Optional<CapturedPacket> segment(ByteBuffer p, int link, Instant time) {
    int protocol;
    int ip;
    boolean outgoing = false;
    switch (link) {
      case LINUX_SLL2 -> {
        protocol = Short.toUnsignedInt(p.getShort(0));
        outgoing = Byte.toUnsignedInt(p.get(10)) == OUTGOING;
        ip = 20;
      }
      case LINUX_SLL -> {
        outgoing = Short.toUnsignedInt(p.getShort(0)) == OUTGOING;
        protocol = Short.toUnsignedInt(p.getShort(14));
        ip = 16;
      }
      case ETHERNET -> {
        protocol = Short.toUnsignedInt(p.getShort(12));
        ip = 14;
      }
      default -> {
        return java.util.Optional.empty();
      }
    }
    if (protocol != IPV4 || (p.get(ip) >> 4) != 4 || p.get(ip + 9) != TCP) {
      return java.util.Optional.empty();
    }
    int ipHeader = (p.get(ip) & 0x0f) * 4;
    int total = Short.toUnsignedInt(p.getShort(ip + 2));
    int tcp = ip + ipHeader;
    int tcpHeader = ((p.get(tcp + 12) >> 4) & 0x0f) * 4;
    String source = address(p, ip + 12) + ":" + Short.toUnsignedInt(p.getShort(tcp));
    String destination = address(p, ip + 16) + ":" + Short.toUnsignedInt(p.getShort(tcp + 2));
    return java.util.Optional.of(new CapturedPacket(time, source, destination, flags(p.get(tcp + 13)),
        Integer.toUnsignedLong(p.getInt(tcp + 4)), Integer.toUnsignedLong(p.getInt(tcp + 8)),
        Math.max(0, total - ipHeader - tcpHeader), outgoing));
  }

  private static String address(ByteBuffer p, int at) {
    return Byte.toUnsignedInt(p.get(at)) + "." + Byte.toUnsignedInt(p.get(at + 1)) + "."
        + Byte.toUnsignedInt(p.get(at + 2)) + "." + Byte.toUnsignedInt(p.get(at + 3));
  }

  /** As tcpdump writes them: S, F, R, P, then "." for ACK. */
  static String flags(byte bits) {
    StringBuilder f = new StringBuilder();
    if ((bits & 0x02) != 0) {
      f.append('S');
    }
    if ((bits & 0x01) != 0) {
      f.append('F');
    }
    if ((bits & 0x04) != 0) {
      f.append('R');
    }
    if ((bits & 0x08) != 0) {
      f.append('P');
    }
    if ((bits & 0x10) != 0) {
      f.append('.');
    }
    return f.length() == 0 ? "none" : f.toString();
  }
}
