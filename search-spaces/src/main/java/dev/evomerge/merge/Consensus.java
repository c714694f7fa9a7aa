package dev.evomerge.merge;

/**
 * How the generalized task-arithmetic method resolves sign conflicts between task vectors (TIES' "elect").
 * {@code SUM}: the majority sign is the sign of the summed weighted deltas (the TIES paper, mergekit's
 * default); {@code COUNT}: the sign held by more models. Deltas whose sign differs from the majority, and
 * zero deltas, are left out of both the sum and the normalising divisor.
 *
 * {@snippet :
 * Consensus c = Consensus.SUM;   // ties, dare_ties, breadcrumbs_ties, della
 * }
 */
public enum Consensus {
    NONE,
    SUM,
    COUNT
}
