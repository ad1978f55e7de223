package io.twlab.architecture.planted.a;

import io.twlab.architecture.planted.b.Other;

/** Half of a cycle planted for {@code ArchitectureTest}: a needs b. */
public final class Planted {
  Other other;
}
