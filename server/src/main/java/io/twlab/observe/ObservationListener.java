package io.twlab.observe;

/** Receives every sampled batch of every node of a lab, on the sampler's thread. */
@FunctionalInterface
public interface ObservationListener {
  void onBatch(String node, SamplerBatch batch);
}
