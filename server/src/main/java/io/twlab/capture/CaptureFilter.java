package io.twlab.capture;

import io.twlab.core.Bounded;
import io.twlab.core.InvalidArgumentException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A capture filter: a pcap expression ({@code tcp port 5000 and host 10.250.1.3}) that reaches
 * tcpdump as its own arguments, never through a shell. Only the characters pcap expressions use
 * are taken; tcpdump then checks the expression itself ({@code tcpdump -d}) before a capture starts.
 */
public record CaptureFilter(List<String> words) {
  public static final int MAX_CHARS = 256;
  public static final CaptureFilter TCP = new CaptureFilter(List.of("tcp"));
  private static final Pattern REFUSED = Pattern.compile("[^A-Za-z0-9 .:/()!&|<>=\\[\\]_-]");

  public CaptureFilter {
    words = List.copyOf(words);
  }

  /** TCP segments to or from {@code port}. */
  public static CaptureFilter tcpPort(int port) {
    return new CaptureFilter(List.of("tcp", "port", String.valueOf(port)));
  }

  /** The filter written as {@code text} ({@code tcp} when blank), or a refusal that names {@code field}. */
  public static CaptureFilter parse(String field, String text) {
    String trimmed = text == null ? "" : text.strip();
    if (trimmed.isEmpty()) {
      return TCP;
    }
    if (trimmed.length() > MAX_CHARS) {
      throw new InvalidArgumentException(field, "has " + trimmed.length() + " characters; a capture filter has at most "
          + MAX_CHARS);
    }
    Matcher refused = REFUSED.matcher(trimmed);
    if (refused.find()) {
      throw new InvalidArgumentException(field, Bounded.quote(trimmed) + ": " + Bounded.quote(refused.group())
          + " has no place in a pcap expression; write one such as 'tcp port 5000 and host 10.250.1.3'");
    }
    return new CaptureFilter(Arrays.asList(trimmed.split("\\s+")));
  }

  public String text() {
    return String.join(" ", words);
  }
}
