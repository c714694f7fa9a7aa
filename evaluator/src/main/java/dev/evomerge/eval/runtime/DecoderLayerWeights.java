package dev.evomerge.eval.runtime;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * One decoder layer's weights on the device, float32, in the layout the forward pass wants: q, k and v
 * stacked into one projection (rows q, then k, then v) and gate and up likewise, so each is a single matrix
 * product. Owned by the {@link ModelWeights} that loaded them; a layer path may run the same instance many
 * times.
 *
 * {@snippet :
 * DecoderLayerWeights l3 = weights.layer(3);
 * }
 *
 * @param config   the source model's config: head counts, eps and rotary settings apply per layer
 * @param qkvBias  null unless the family has q/k/v biases
 * @param oBias    null unless the family has an output-projection bias
 * @param qNorm    null unless the family normalises queries and keys per head (Qwen3); so is kNorm
 */
public record DecoderLayerWeights(
        LlamaConfig config,
        int index,
        NDArray inputNorm,
        NDArray qkv,
        NDArray qkvBias,
        NDArray o,
        NDArray oBias,
        NDArray qNorm,
        NDArray kNorm,
        NDArray postNorm,
        NDArray gateUp,
        NDArray down) {

    public DecoderLayerWeights {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(inputNorm, "inputNorm");
        Objects.requireNonNull(qkv, "qkv");
        Objects.requireNonNull(o, "o");
        Objects.requireNonNull(postNorm, "postNorm");
        Objects.requireNonNull(gateUp, "gateUp");
        Objects.requireNonNull(down, "down");
        if ((qkvBias != null) != config.qkvBias() || (oBias != null) != config.oBias()
                || (qNorm != null) != config.qkNorm() || (kNorm != null) != config.qkNorm()) {
            throw new IllegalArgumentException("layer " + index + ": optional weights do not match the config");
        }
    }
}
