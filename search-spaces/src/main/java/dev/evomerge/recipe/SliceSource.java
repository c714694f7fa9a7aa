package dev.evomerge.recipe;

import java.util.Map;
import java.util.Objects;

/**
 * One source of an output slice: a range of a model's layers and the parameters for that source.
 *
 * {@snippet :
 * new SliceSource("./models/a", new LayerRange(0, 16), Map.of());
 * }
 */
public record SliceSource(String model, LayerRange layerRange, Map<String, ParameterValue> parameters) {

    public SliceSource {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(layerRange, "layerRange");
        parameters = Params.copy(parameters);
    }
}
