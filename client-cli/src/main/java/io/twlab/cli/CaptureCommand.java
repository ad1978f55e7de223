package io.twlab.cli;

import io.twlab.proto.v1.V1.CaptureChunk;
import io.twlab.proto.v1.V1.CaptureRequest;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "capture", description = "Capture packets on one node of a lab as a pcap file, for Wireshark or "
    + "tcpdump -r: `twlab capture LAB --node client -w - | wireshark -k -i -`. Bounded in time and bytes; the lab's "
    + "owner only.")
final class CaptureCommand extends ServerCommand {
  @Parameters(paramLabel = "LAB")
  String labId;
  @Option(names = "--node", required = true, description = "the node to capture on, e.g. gateway")
  String node;
  @Option(names = "--filter", defaultValue = "", description = "a pcap expression, e.g. 'tcp port 5000' (default: tcp)")
  String filter;
  @Option(names = "--seconds", defaultValue = "30", description = "how long to capture, 1 to 300")
  int seconds;
  @Option(names = "--max-bytes", defaultValue = "8388608", description = "at most this many bytes of pcap")
  long maxBytes;
  @Option(names = "-w", required = true, paramLabel = "FILE", description = "the pcap file to write; - for standard "
      + "output")
  String file;

  @Override
  int call(ServerConnection server) {
    Iterator<CaptureChunk> chunks = server.blocking().capture(CaptureRequest.newBuilder().setLabId(labId).setNode(node)
        .setFilter(filter).setSeconds(seconds).setMaxBytes(maxBytes).build());
    long written;
    try (OutputStream out = file.equals("-") ? new UnclosedOutput() : new FileOutputStream(file)) {
      written = write(chunks, out);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot write " + file + ": " + e.getMessage());
    }
    if (!file.equals("-")) {
      spec.commandLine().getErr().println("wrote " + written + " bytes of pcap to " + file);
    }
    return 0;
  }

  /** Writes a pcap's chunks as they come (a live capture is read by Wireshark meanwhile); returns its bytes. */
  static long write(Iterator<CaptureChunk> chunks, OutputStream out) throws IOException {
    long written = 0;
    while (chunks.hasNext()) {
      var data = chunks.next().getData();
      data.writeTo(out);
      out.flush();
      written += data.size();
    }
    return written;
  }

  /** Standard output, flushed but left open for the rest of the process. */
  private static final class UnclosedOutput extends OutputStream {
    @Override
    public void write(int b) {
      System.out.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      System.out.write(bytes, offset, length);
    }

    @Override
    public void flush() {
      System.out.flush();
    }
  }
}
