package dev.evomerge.plan;

import dev.evomerge.checkpoint.TensorSpec;
import dev.evomerge.merge.MergeMethod;
import dev.evomerge.merge.Parameters;
import java.util.List;
import java.util.Objects;

/**
 * How one output tensor is made: the method, its inputs with their resolved parameters (defaults applied),
 * and the seed for any random choice. The planner builds these without touching tensor bytes.
 *
 * @param output  name, dtype and shape of the tensor written
 * @param base    the base model's tensor, or {@code null} when the method takes none
 * @param sources the other inputs, in recipe order
 */
public record TensorTask(TensorSpec output, MergeMethod method, InputTensor base, List<Source> sources,
                         Parameters global, long seed) {

    /** A non-base input and its per-model parameters. */
    public record Source(InputTensor tensor, Parameters parameters) {
    }

    public TensorTask {
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(method, "method");
        sources = List.copyOf(sources);
        Objects.requireNonNull(global, "global");
    }
}
