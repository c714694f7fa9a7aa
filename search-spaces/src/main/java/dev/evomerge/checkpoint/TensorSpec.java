package dev.evomerge.checkpoint;

import java.util.Objects;

/**
 * What a tensor in an output file will be, known before any byte is computed: the writer plans its
 * headers from these.
 *
 * {@snippet :
 * TensorSpec s = new TensorSpec("model.norm.weight", DType.BF16, Shape.of(4096));
 * long bytes = s.byteSize();   // 8192
 * }
 */
public record TensorSpec(String name, DType dtype, Shape shape) {

    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        if (name.isEmpty() || name.equals(SafetensorsFile.METADATA_KEY)) {
            throw new IllegalArgumentException("invalid tensor name '" + name + "'");
        }
    }

    /** The spec of an existing tensor. */
    public static TensorSpec of(TensorView view) {
        return new TensorSpec(view.name(), view.dtype(), view.shape());
    }

    public long byteSize() {
        return Math.multiplyExact(shape.elementCount(), dtype.byteSize());
    }
}
