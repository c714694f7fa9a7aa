package dev.evomerge.optimizer.run;

import java.time.Duration;
import java.util.Locale;

/**
 * What the loop reports after each checkpointed generation; {@link #logLine()} is the one log line.
 *
 * @param generation completed generations
 * @param best best fitness so far in the run
 * @param mean mean fitness of this generation's candidates
 * @param evaluations candidates evaluated so far (cache hits included)
 * @param freshEvaluations recipes actually scored by the evaluator so far
 * @param cacheHitRate share of this run's candidates answered by the fitness cache
 * @param elapsed running time so far (all sessions)
 * @param eta estimated time to the nearest limit, or {@code null} when unknown
 * @param paretoSize members of the Pareto set, or -1 when the run keeps none
 */
public record GenerationReport(
        long generation, double best, double mean, long evaluations, long freshEvaluations,
        double cacheHitRate, Duration elapsed, Duration eta, int paretoSize) {

    public String logLine() {
        return String.format(Locale.ROOT, "gen %d | best %.6g | mean %.6g |%s evals %d (fresh %d) | cache hits %.1f%% | elapsed %s | ETA %s",
                generation, best, mean, paretoSize < 0 ? "" : " pareto " + paretoSize + " |", evaluations,
                freshEvaluations, 100 * cacheHitRate, format(elapsed), eta == null ? "?" : format(eta));
    }

    private static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
