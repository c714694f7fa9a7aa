package dev.evomerge.optimizer.config;

import java.util.List;
import java.util.Objects;

/**
 * The {@code search:} section of a search config.
 *
 * @param algorithm      {@code ga}, {@code cma-es}, {@code nsga2}, {@code m2n2} or {@code random} (the baseline)
 * @param population     candidates per generation (archive size for M2N2); 0 = the strategy's default
 * @param generations    stop after this many generations; 0 = no limit
 * @param maxEvaluations stop after this many evaluated candidates; 0 = no limit
 * @param seed           seeds every random choice of the run
 * @param objectives     objective names for multi-objective runs (task names, {@code path_length})
 * @param m2n2           M2N2's mechanisms ({@code search.m2n2:})
 */
public record SearchSettings(String algorithm, int population, int generations, long maxEvaluations, long seed,
                             List<String> objectives, M2n2Settings m2n2) {

    /** Settings with M2N2's defaults. */
    public SearchSettings(String algorithm, int population, int generations, long maxEvaluations, long seed,
            List<String> objectives) {
        this(algorithm, population, generations, maxEvaluations, seed, objectives, M2n2Settings.DEFAULT);
    }

    public static final List<String> ALGORITHMS = List.of("ga", "cma-es", "nsga2", "m2n2", "random");

    public SearchSettings {
        Objects.requireNonNull(algorithm, "algorithm");
        objectives = List.copyOf(objectives);
        Objects.requireNonNull(m2n2, "m2n2");
        if (generations == 0 && maxEvaluations == 0) {
            throw new IllegalArgumentException("search: set generations or max_evaluations");
        }
        if (population < 0 || generations < 0 || maxEvaluations < 0) {
            throw new IllegalArgumentException("search: population, generations and max_evaluations must be >= 0");
        }
    }
}
