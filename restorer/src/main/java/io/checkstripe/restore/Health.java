package io.checkstripe.restore;

/** How well a checkpoint is protected, as {@code checkstripe status} reports it. */
public enum Health {
    /** Every server holds its manifest and every cell it should, intact (when checked). */
    COMPLETE,
    /** Some cells or servers are lost, but every stripe still has at least K intact cells: restorable. */
    DEGRADED,
    /** Some stripe has fewer than K intact cells, or no usable manifest exists: not restorable. */
    UNRECOVERABLE
}
