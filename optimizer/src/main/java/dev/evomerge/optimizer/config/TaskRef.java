package dev.evomerge.optimizer.config;

import java.nio.file.Path;

/**
 * One benchmark task of a search, with its weight in the combined fitness and the metric that is its fitness
 * (mergekit-evolve's {@code metric:}, such as {@code acc_norm,none}; null: the task's first).
 */
public record TaskRef(Path path, double weight, String metric) {

    public TaskRef(Path path, double weight) {
        this(path, weight, null);
    }

    public TaskRef {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("task " + path + ": weight must be a finite number >= 0");
        }
    }
}
