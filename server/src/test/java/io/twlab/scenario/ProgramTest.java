package io.twlab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a submitted program is written in, and why it cannot run. */
class ProgramTest {

  /** The header of a 64-bit x86-64 ELF executable with one program header of type {@code type}. */
  private static byte[] elf(int machine, int type) {
    ByteBuffer elf = ByteBuffer.allocate(120).order(ByteOrder.LITTLE_ENDIAN);
    elf.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1).putShort(18, (short) machine);
    elf.putLong(32, 64).putShort(54, (short) 56).putShort(56, (short) 1).putInt(64, type);
    return elf.array();
  }

  @Test
  void aLanguageIsToldByTheFirstBytesThenTheName() {
    assertEquals(Optional.of(Program.Language.BINARY), Program.Language.detect(elf(62, 1), "a.py"));
    assertEquals(Optional.of(Program.Language.PYTHON), Program.Language.detect("#!/usr/bin/env python3\n".getBytes(), "x"));
    assertEquals(Optional.of(Program.Language.SHELL), Program.Language.detect("#!/bin/sh\necho".getBytes(), "x"));
    assertEquals(Optional.of(Program.Language.SHELL), Program.Language.detect("#!/usr/bin/env bash\n".getBytes(), "x"));
    assertEquals(Optional.of(Program.Language.PYTHON), Program.Language.detect("print(1)".getBytes(), "fix.py"));
    assertEquals(Optional.empty(), Program.Language.detect("hello".getBytes(), "notes.txt"));
  }

  @Test
  void aBinaryMustBeAStaticX8664Executable() throws Exception {
    assertEquals(Optional.empty(), Program.problem(Program.Language.BINARY, elf(62, 1)));
    assertTrue(Program.problem(Program.Language.BINARY, elf(62, 3)).orElseThrow().startsWith("is linked dynamically"));
    assertTrue(Program.problem(Program.Language.BINARY, elf(183, 1)).orElseThrow().contains("x86-64"));
    assertEquals(Optional.of("is not an ELF executable"), Program.problem(Program.Language.BINARY, "MZ".getBytes()));
    assertTrue(Program.problem(Program.Language.BINARY, Files.readAllBytes(Path.of("/bin/true"))).orElseThrow()
        .startsWith("is linked dynamically"));
  }

  @Test
  void aScriptIsUtf8TextWithinItsSize() {
    assertEquals(Optional.empty(), Program.problem(Program.Language.PYTHON, "print('ü')".getBytes()));
    assertEquals(Optional.of("is empty"), Program.problem(Program.Language.SHELL, new byte[0]));
    assertTrue(Program.problem(Program.Language.SHELL, new byte[] {'a', 0, 'b'}).orElseThrow().contains("NUL"));
    assertTrue(Program.problem(Program.Language.PYTHON, new byte[64 * 1024 + 1]).orElseThrow().contains("at most 65536"));
  }
}
