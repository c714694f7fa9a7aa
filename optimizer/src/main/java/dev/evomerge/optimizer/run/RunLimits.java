package dev.evomerge.optimizer.run;

import java.time.Duration;
import java.util.Objects;

/**
 * When a search stops; checked at generation boundaries, so a run never stops mid-generation. Wall time
 * counts the time of every session of a resumed run.
 *
 * {@snippet :
 * RunLimits limits = RunLimits.generations(50).withMaxEvaluations(2000).withWallTime(Duration.ofHours(8));
 * }
 *
 * @param generations generations to complete in total
 * @param maxEvaluations candidates to evaluate in total (cache hits included); the generation that
 *     reaches it is completed
 * @param wallTime total running time
 */
public record RunLimits(long generations, long maxEvaluations, Duration wallTime) {
    public RunLimits {
        Objects.requireNonNull(wallTime, "wallTime");
        if (generations < 0 || maxEvaluations < 0 || wallTime.isNegative()) {
            throw new IllegalArgumentException("run limits must not be negative: generations=" + generations
                    + " max_evaluations=" + maxEvaluations + " wall_time=" + wallTime);
        }
    }

    public static RunLimits generations(long generations) {
        return new RunLimits(generations, Long.MAX_VALUE, Duration.ofSeconds(Long.MAX_VALUE));
    }

    public RunLimits withGenerations(long g) {
        return new RunLimits(g, maxEvaluations, wallTime);
    }

    public RunLimits withMaxEvaluations(long n) {
        return new RunLimits(generations, n, wallTime);
    }

    public RunLimits withWallTime(Duration d) {
        return new RunLimits(generations, maxEvaluations, d);
    }
}
