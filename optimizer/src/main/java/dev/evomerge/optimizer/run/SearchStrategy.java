package dev.evomerge.optimizer.run;

import dev.evomerge.optimizer.strategy.BatchEvaluator;

/**
 * A strategy as the search loop drives it: one generation per {@link #step}, which scores its genomes
 * through the evaluator it is given (usually in one call; Jenetics' GA calls it twice in its first
 * generation), and a state record that {@link StrategyFactory#restore} turns back into a strategy that
 * continues identically.
 */
public interface SearchStrategy {

    /** Short name, e.g. {@code cma-es}; checked against the checkpoint on resume. */
    String name();

    /** Runs one generation. */
    void step(BatchEvaluator evaluator);

    /** A snapshot of all mutable state (a record that Jackson can write and read back). */
    Record state();
}
