/**
 * Erasure coding for checkstripe, with no Kafka dependency: {@link io.checkstripe.codec.RedundancyPolicy}
 * names a code, {@link io.checkstripe.codec.ErasureCodec} implements it (STRIPE, XOR, Reed-Solomon,
 * MIRROR), {@link io.checkstripe.codec.StripeWorkspace} owns the cell format,
 * {@link io.checkstripe.codec.CellLayout} places cells on servers and
 * {@link io.checkstripe.codec.Crc32c} checksums them. Only these types are public; kernels and
 * matrices are package-private.
 */
package io.checkstripe.codec;
