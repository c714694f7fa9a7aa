package dev.evomerge.optimizer.config;

import java.nio.file.Path;

/** One benchmark task of a search, with its weight in the combined fitness. */
public record TaskRef(Path path, double weight) {

    public TaskRef {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("task " + path + ": weight must be a finite number >= 0");
        }
    }
}
