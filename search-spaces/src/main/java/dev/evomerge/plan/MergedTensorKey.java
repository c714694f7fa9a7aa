package dev.evomerge.plan;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Shape;
import dev.evomerge.merge.Parameters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything that determines one merged tensor's bytes, and nothing else: the method, the input tensors (model
 * directory and tensor name, base first), the parameter values that apply to this tensor after precedence,
 * gradients and filters are resolved, the output dtype and shape, and the seed when the method draws random
 * masks. The output's name is left out on purpose: two recipes that resolve a tensor the same way share it even
 * when a slice moves it to another output layer. Two recipes that differ only in layer 3 therefore have equal
 * keys for every other layer's tensors.
 *
 * {@snippet :
 * MergedTensorKey key = MergedTensorKey.of(task, models);
 * }
 *
 * @param seed the task's seed for a {@link dev.evomerge.merge.MergeMethod#seeded() seeded} method, else 0
 */
public record MergedTensorKey(String method, Input base, List<Input> sources, List<Parameters> sourceParameters,
                              Parameters global, DType dtype, Shape shape, long seed) {

    /** One input tensor: the model directory (absolute, normalized) and the tensor's name in it. */
    public record Input(Path model, String tensorName) {
        public Input {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(tensorName, "tensorName");
        }
    }

    public MergedTensorKey {
        Objects.requireNonNull(method, "method");
        sources = List.copyOf(sources);
        sourceParameters = List.copyOf(sourceParameters);
        Objects.requireNonNull(global, "global");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        if (sources.size() != sourceParameters.size()) {
            throw new IllegalArgumentException("merged tensor key: " + sources.size() + " sources but "
                    + sourceParameters.size() + " parameter sets");
        }
    }

    /** The key of {@code task}'s output, with model names resolved to the directories {@code models} opened. */
    public static MergedTensorKey of(TensorTask task, ModelSet models) {
        Input base = task.base() == null ? null : input(task.base(), models);
        List<Input> sources = new ArrayList<>();
        List<Parameters> parameters = new ArrayList<>();
        for (TensorTask.Source s : task.sources()) {
            sources.add(input(s.tensor(), models));
            parameters.add(s.parameters());
        }
        return new MergedTensorKey(task.method().name(), base, sources, parameters, task.global(),
                task.output().dtype(), task.output().shape(), task.method().seeded() ? task.seed() : 0);
    }

    private static Input input(InputTensor tensor, ModelSet models) {
        Path dir = models.checkpoint(tensor.model()).dir().toAbsolutePath().normalize();
        return new Input(dir, tensor.tensorName());
    }

    /** Bytes of the merged tensor. */
    public long byteSize() {
        return Math.multiplyExact(shape.elementCount(), dtype.byteSize());
    }
}
