package dev.evomerge.optimizer.run;

import dev.evomerge.results.TaskMetrics;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What evaluating one recipe gives: a score per task (in task order, for history and logs) and the
 * per-example scores the strategies see (their mean is the fitness; M2N2 uses them one by one).
 *
 * {@snippet :
 * var s = new CandidateScores(Map.of("math", 0.5), new double[] {1, 0, 1, 0});
 * }
 *
 * @param tasks score per task name
 * @param examples per-example scores, higher is better, at least one
 * @param worker who scored it (a cluster worker's host:port, {@code local}), or {@code null} when the evaluator
 *               does not say; it goes to the history's {@code worker} field
 * @param seconds how long scoring this recipe took, or {@code NaN} when only the batch was timed (the loop then
 *                shares the batch's time equally)
 * @param metrics per task, its metrics under their full names (for the history); empty where the evaluator
 *                gives none
 */
public record CandidateScores(Map<String, Double> tasks, double[] examples, String worker, double seconds,
                              Map<String, TaskMetrics> metrics) {
    public CandidateScores {
        Objects.requireNonNull(examples, "examples");
        if (examples.length == 0) {
            throw new IllegalArgumentException("candidate scores need at least one example score");
        }
        tasks = tasks == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
        metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** Scores without saying who computed them or how long each took. */
    public CandidateScores(Map<String, Double> tasks, double[] examples) {
        this(tasks, examples, null, Double.NaN, Map.of());
    }

    /** Scores attributed to {@code worker}, without metrics under their full names. */
    public CandidateScores(Map<String, Double> tasks, double[] examples, String worker, double seconds) {
        this(tasks, examples, worker, seconds, Map.of());
    }

    /** The same scores, attributed to {@code worker}. */
    public CandidateScores scoredBy(String worker, double seconds) {
        return new CandidateScores(tasks, examples, worker, seconds, metrics);
    }

    /** The same scores with each task's metrics under their full names. */
    public CandidateScores withMetrics(Map<String, TaskMetrics> metrics) {
        return new CandidateScores(tasks, examples, worker, seconds, metrics);
    }
}
