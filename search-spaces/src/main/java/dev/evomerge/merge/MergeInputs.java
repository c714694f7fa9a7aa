package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorView;
import java.util.List;
import java.util.Objects;

/**
 * Everything one merge method needs for one output tensor.
 *
 * @param base    the base model's tensor, or {@code null} when the method has no base
 * @param sources the other models' tensors, each with its per-model parameters (weight, density, ...)
 * @param global  the tensor's global parameters (normalize, lambda, t, ...)
 * @param seed    seeds every random choice (DARE/DELLA masks) so a recipe always gives the same tensor;
 *                the planner derives it from the recipe hash and the tensor name
 */
public record MergeInputs(TensorView base, List<Source> sources, Parameters global, long seed) {

    /** A non-base model's tensor and its parameters. */
    public record Source(TensorView tensor, Parameters parameters) {
        public Source {
            Objects.requireNonNull(tensor, "tensor");
            Objects.requireNonNull(parameters, "parameters");
        }
    }

    public MergeInputs {
        sources = List.copyOf(sources);
        Objects.requireNonNull(global, "global");
    }

    /** The base tensor, for a method that cannot work without one; the error names the method and tensor. */
    public TensorView requireBase(String method) {
        if (base == null) {
            throw new IllegalArgumentException("merge method '" + method + "' needs a base_model (tensor '"
                    + (sources.isEmpty() ? "?" : sources.getFirst().tensor().name()) + "')");
        }
        return base;
    }
}
