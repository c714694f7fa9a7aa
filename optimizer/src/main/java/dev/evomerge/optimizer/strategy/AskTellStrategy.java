package dev.evomerge.optimizer.strategy;

import java.util.List;

/**
 * The core of a batch strategy over real-valued genomes: {@link #ask()} proposes a generation,
 * {@link #tell} hands back its per-example scores. The core knows nothing of limits, statistics or
 * checkpoints; {@link StrategyEvolution} plugs it into a Jenetics evolution stream, which provides them.
 * Its whole mutable state is one record ({@link #state()}), from which each strategy can be restored.
 *
 * {@snippet :
 * AskTellStrategy<?> s = CmaEs.separable(new double[10], 0.5, 0, 42);
 * for (int g = 0; g < 100; g++) {
 *   List<double[]> xs = s.ask();
 *   s.tell(xs, evaluator.evaluate(xs));
 * }
 * }
 *
 * @param <S> the state record
 */
public interface AskTellStrategy<S extends Record> {

  /** Short name, e.g. {@code cma-es}. */
  String name();

  /** Number of genes. */
  int dimension();

  /** The next batch of genomes to evaluate (fresh arrays the caller may keep). */
  List<double[]> ask();

  /** Scores for exactly the genomes of the last {@link #ask()}, in the same order. */
  void tell(List<double[]> genomes, double[][] scores);

  /** The current population (for M2N2: the archive) with its scores. */
  List<Candidate> population();

  /** The candidate the strategy currently reports as its result (best ever, or best in archive). */
  Candidate best();

  /** Completed ask/tell rounds. */
  long generation();

  /** Genomes evaluated so far. */
  long evaluations();

  /** A snapshot of all mutable state, including the RNG; restoring it continues identically. */
  S state();
}
