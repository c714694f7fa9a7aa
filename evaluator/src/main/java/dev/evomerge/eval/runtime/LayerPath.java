package dev.evomerge.eval.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A data-flow route through several models' layers: the hidden state is multiplied by a step's
 * {@code scale}, then run through layer {@code layer} of model {@code model} (an index into the list of
 * source models). Embeddings, final norm and lm_head come from model 0.
 *
 * {@snippet :
 * LayerPath p = new LayerPath(List.of(new LayerPath.Step(0, 0, 1.0), new LayerPath.Step(1, 1, 0.9)));
 * LanguageModel lm = LanguageModel.of(p, List.of(a, b));
 * }
 */
public record LayerPath(List<Step> steps) {

    /** One layer run: {@code model}'s layer {@code layer}, input scaled by {@code scale}. */
    public record Step(int model, int layer, double scale) {
        public Step {
            if (model < 0 || layer < 0) {
                throw new IllegalArgumentException("layer path step: model and layer must be >= 0, got model "
                        + model + ", layer " + layer);
            }
            if (!Double.isFinite(scale)) {
                throw new IllegalArgumentException("layer path step: scale must be finite, got " + scale);
            }
        }
    }

    public LayerPath {
        steps = List.copyOf(Objects.requireNonNull(steps, "steps"));
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a layer path needs at least one step");
        }
    }

    /** Every layer of {@code model}, in order, scale 1. */
    public static LayerPath all(int model, int numLayers) {
        List<Step> s = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            s.add(new Step(model, i, 1.0));
        }
        return new LayerPath(s);
    }

    /**
     * Checks every step names an existing model and layer, and that all models share the hidden size and
     * vocabulary of model 0: a clear error before any forward pass.
     */
    public void validate(List<ModelWeights> models) {
        validateConfigs(models.stream().map(ModelWeights::config).toList());
    }

    /** As {@link #validate}, from the models' configs alone, so a bad path is reported before any weight loads. */
    public void validateConfigs(List<LlamaConfig> models) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("layer path: no source models");
        }
        LlamaConfig first = models.getFirst();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.model() >= models.size()) {
                throw new IllegalArgumentException("layer path step " + i + ": model " + s.model()
                        + " does not exist (" + models.size() + " source models)");
            }
            LlamaConfig m = models.get(s.model());
            if (s.layer() >= m.numLayers()) {
                throw new IllegalArgumentException("layer path step " + i + ": layer " + s.layer()
                        + " does not exist in model " + s.model() + " (" + m.numLayers() + " layers)");
            }
            if (m.hiddenSize() != first.hiddenSize()) {
                throw new IllegalArgumentException("layer path step " + i + ": model " + s.model()
                        + " has hidden_size " + m.hiddenSize() + ", model 0 has " + first.hiddenSize());
            }
        }
    }
}
