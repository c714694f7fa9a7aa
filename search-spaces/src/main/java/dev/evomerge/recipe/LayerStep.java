package dev.evomerge.recipe;

import java.util.Objects;

/**
 * One step of a data-flow layer path: run {@code model}'s layer {@code layer} on the hidden state,
 * after multiplying the state entering it by {@code scale}.
 *
 * {@snippet :
 * new LayerStep("./models/a", 3, 1.0);
 * }
 */
public record LayerStep(String model, int layer, double scale) {

    public LayerStep {
        Objects.requireNonNull(model, "model");
        if (layer < 0) {
            throw new IllegalArgumentException("layer must be >= 0, got " + layer);
        }
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be finite, got " + scale);
        }
    }
}
