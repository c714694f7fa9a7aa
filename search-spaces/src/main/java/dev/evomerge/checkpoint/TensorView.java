package dev.evomerge.checkpoint;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A named tensor whose bytes live in a memory segment, usually a slice of a memory-mapped safetensors file.
 * Data is little-endian and densely packed, row-major, as safetensors stores it.
 *
 * {@snippet :
 * TensorView v = checkpoint.tensor("model.layers.0.mlp.up_proj.weight");
 * float x = v.getFloat(0);   // widened from the stored dtype
 * }
 */
public record TensorView(String name, DType dtype, Shape shape, MemorySegment data) {

    public TensorView {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        long expected = Math.multiplyExact(shape.elementCount(), dtype.byteSize());
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + data.byteSize()
                    + " bytes, but shape " + shape + " of " + dtype + " needs " + expected);
        }
    }

    public long elementCount() {
        return shape.elementCount();
    }

    public long byteSize() {
        return data.byteSize();
    }

    /** Element {@code i} widened to float. For bulk work use the kernels, not this. */
    public float getFloat(long i) {
        return Floats.read(data, dtype, i);
    }
}
