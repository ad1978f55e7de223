package io.twlab.architecture.planted.b;

import io.twlab.architecture.planted.a.Planted;

/** The other half of the planted cycle: b needs a. */
public final class Other {
  Planted planted;
}
