package dev.evomerge.results;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One task's metrics for one candidate, under their full names as lm-evaluation-harness reports them
 * ({@code acc,none}, {@code exact_match,flexible-extract}; evomerge's own tasks: {@code accuracy}, {@code number},
 * ...), and the one of them its fitness takes.
 *
 * {@snippet :
 * {"metric":"exact_match,strict-match","values":{"exact_match,strict-match":0.4,"exact_match,flexible-extract":0.5}}
 * }
 *
 * @param metric the metric the task's fitness takes, one of {@code values}' keys
 * @param values every metric the task reports, in the order it lists them, as reported (a perplexity is the
 *               perplexity, not the negated score the search maximises)
 */
public record TaskMetrics(String metric, Map<String, Double> values) {
    public TaskMetrics {
        Objects.requireNonNull(metric, "metric");
        values = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(values, "values")));
        if (!values.containsKey(metric)) {
            throw new IllegalArgumentException("metric '" + metric + "' is not among " + values.keySet());
        }
    }
}
