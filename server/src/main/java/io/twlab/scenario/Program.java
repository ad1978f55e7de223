package io.twlab.scenario;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A program a student wrote for one of a scenario's {@link ProgramContract slots}: its language,
 * its bytes, and the time it may run. It replaces the scenario's built-in program for one run.
 */
public record Program(Language language, byte[] code, Duration timeLimit) {
  /** Where a program's file is, read-only, in its container. */
  public static final String DIRECTORY = "/program";
  public static final Duration MIN_TIME_LIMIT = Duration.ofSeconds(5);
  public static final Duration MAX_TIME_LIMIT = Duration.ofMinutes(10);
  private static final int ELF_X86_64 = 62;
  private static final int PT_INTERP = 3;

  public Program {
    code = code.clone();
  }

  @Override
  public byte[] code() {
    return code.clone();
  }

  public int size() {
    return code.length;
  }

  /**
   * What a program is written in, the most it may weigh, the file it is put in (under {@link
   * #DIRECTORY}) and how it is started.
   */
  public enum Language {
    PYTHON(64 * 1024, "main.py", List.of("python3", "-u", DIRECTORY + "/main.py")),
    SHELL(64 * 1024, "main.sh", List.of("bash", DIRECTORY + "/main.sh")),
    BINARY(2 * 1024 * 1024, "main", List.of(DIRECTORY + "/main"));

    private final int maxBytes;
    private final String file;
    private final List<String> command;

    Language(int maxBytes, String file, List<String> command) {
      this.maxBytes = maxBytes;
      this.file = file;
      this.command = command;
    }

    /** As files and clients name it: python, shell, binary. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Language> of(String id) {
      return Arrays.stream(values()).filter(l -> l.id().equals(id.trim().toLowerCase(Locale.ROOT))).findFirst();
    }

    public static String ids() {
      return String.join(", ", Arrays.stream(values()).map(Language::id).toList());
    }

    public int maxBytes() {
      return maxBytes;
    }

    public String file() {
      return file;
    }

    /** The command that starts the program, before its arguments. */
    public List<String> command() {
      return command;
    }

    /**
     * What a file is written in, from its first bytes (an ELF header, a {@code #!} line) and then its
     * name's extension; empty when neither says.
     */
    public static Optional<Language> detect(byte[] code, String fileName) {
      if (code.length >= 4 && code[0] == 0x7f && code[1] == 'E' && code[2] == 'L' && code[3] == 'F') {
        return Optional.of(BINARY);
      }
      String line = new String(code, 0, Math.min(code.length, 80), StandardCharsets.ISO_8859_1).lines().findFirst()
          .orElse("");
      if (line.startsWith("#!") && line.contains("python")) {
        return Optional.of(PYTHON);
      }
      if (line.startsWith("#!") && (line.endsWith("sh") || line.contains("bash"))) {
        return Optional.of(SHELL);
      }
      String name = fileName.toLowerCase(Locale.ROOT);
      return name.endsWith(".py") ? Optional.of(PYTHON)
          : name.endsWith(".sh") || name.endsWith(".bash") ? Optional.of(SHELL) : Optional.empty();
    }
  }

  /** Why {@code code} cannot run as {@code language}, or empty when it can. */
  public static Optional<String> problem(Language language, byte[] code) {
    if (code.length == 0) {
      return Optional.of("is empty");
    }
    if (code.length > language.maxBytes()) {
      return Optional.of("has " + code.length + " bytes; a " + language.id() + " program may have at most "
          + language.maxBytes());
    }
    if (language != Language.BINARY) {
      try {
        String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(code)).toString();
        return text.indexOf('\0') >= 0 ? Optional.of("is not a text file (it has NUL bytes); a compiled program is "
            + "language binary") : Optional.empty();
      } catch (CharacterCodingException e) {
        return Optional.of("is not UTF-8 text; a " + language.id() + " program is a text file");
      }
    }
    return elfProblem(ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN));
  }

  /** A binary must be a 64-bit x86-64 ELF executable that names no dynamic loader (linked statically). */
  private static Optional<String> elfProblem(ByteBuffer elf) {
    if (elf.limit() < 64 || elf.getInt(0) != 0x464c457f) {
      return Optional.of("is not an ELF executable");
    }
    if (elf.get(4) != 2 || elf.get(5) != 1 || elf.getShort(18) != ELF_X86_64) {
      return Optional.of("is not a 64-bit x86-64 (little-endian) executable; build it for x86-64 Linux");
    }
    long tableAt = elf.getLong(32);
    int entry = Short.toUnsignedInt(elf.getShort(54));
    int entries = Short.toUnsignedInt(elf.getShort(56));
    if (entry < 4 || tableAt < 0 || tableAt + (long) entry * entries > elf.limit()) {
      return Optional.of("has a damaged ELF header (its program headers lie outside the file)");
    }
    for (int i = 0; i < entries; i++) {
      if (elf.getInt((int) tableAt + i * entry) == PT_INTERP) {
        return Optional.of("is linked dynamically: it would load the libraries of the lab's image, not those it was "
            + "built with; link it statically, e.g. gcc -static");
      }
    }
    return Optional.empty();
  }
}
