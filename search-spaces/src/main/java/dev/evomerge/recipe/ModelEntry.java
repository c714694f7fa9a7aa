package dev.evomerge.recipe;

import java.util.Map;
import java.util.Objects;

/**
 * One item of a recipe's {@code models:} list: a model directory and its per-model parameters.
 *
 * {@snippet :
 * new ModelEntry("./models/math", Map.of("weight", ParameterValue.Scalar.of(0.7)));
 * }
 */
public record ModelEntry(String model, Map<String, ParameterValue> parameters) {

    public ModelEntry {
        Objects.requireNonNull(model, "model");
        parameters = Params.copy(parameters);
    }
}
