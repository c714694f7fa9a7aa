package dev.evomerge.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorSpec;
import dev.evomerge.recipe.MergeRecipe;
import java.util.List;
import java.util.Objects;

/**
 * A recipe compiled into per-tensor tasks, checked against the real checkpoints: every model exists,
 * every tensor is present with matching shapes, every parameter is known and set. Executing it cannot
 * fail on bad input.
 *
 * @param outputConfig   config.json of the merged model (from the base or first model, layer count updated)
 * @param outDtype       the dtype written into config.json as {@code torch_dtype}
 * @param tokenizerModel the model whose tokenizer files are copied
 */
public record MergePlan(MergeRecipe recipe, List<TensorTask> tasks, JsonNode outputConfig, DType outDtype,
                        String tokenizerModel) {

    public MergePlan {
        Objects.requireNonNull(recipe, "recipe");
        tasks = List.copyOf(tasks);
        Objects.requireNonNull(outputConfig, "outputConfig");
        Objects.requireNonNull(outDtype, "outDtype");
        Objects.requireNonNull(tokenizerModel, "tokenizerModel");
    }

    /** The merged model's tensors, in the order they are written. */
    public List<TensorSpec> outputs() {
        return tasks.stream().map(TensorTask::output).toList();
    }

    /** Total bytes of the merged model's weights. */
    public long outputBytes() {
        return tasks.stream().mapToLong(t -> t.output().byteSize()).sum();
    }
}
