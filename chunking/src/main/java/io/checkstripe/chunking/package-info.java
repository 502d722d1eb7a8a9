/**
 * Incremental checkpoints as a pure encoding, with no Kafka and no other checkstripe module but {@code core}:
 * {@link io.checkstripe.chunking.ContentDefinedChunker} cuts content into chunks (FastCDC),
 * {@link io.checkstripe.chunking.ChunkIds} names them, {@link io.checkstripe.chunking.DeltaStream} turns a
 * checkpoint's content into a delta stream (the chunks new since the {@link io.checkstripe.chunking.ChunkIndex}
 * of the previous checkpoint, then the {@link io.checkstripe.chunking.Recipe}), and
 * {@link io.checkstripe.chunking.DeltaAssembler} turns the restored deltas back into the content. The delta
 * stream is published as an ordinary checkpoint, so the segment, stripe and store formats do not change.
 */
package io.checkstripe.chunking;
