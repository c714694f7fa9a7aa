package dev.evomerge.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Scalar reads and writes of one element in any {@link DType}. The reference for the vectorised kernels:
 * bf16 is the top half of a float32 (narrowed with round-to-nearest-even), f16 is IEEE half.
 */
public final class Floats {

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Floats() {
    }

    public static float read(MemorySegment segment, DType dtype, long index) {
        return switch (dtype) {
            case F32 -> segment.getAtIndex(F32, index);
            case F16 -> Float.float16ToFloat(segment.getAtIndex(I16, index));
            case BF16 -> bf16ToFloat(segment.getAtIndex(I16, index));
        };
    }

    public static void write(MemorySegment segment, DType dtype, long index, float value) {
        switch (dtype) {
            case F32 -> segment.setAtIndex(F32, index, value);
            case F16 -> segment.setAtIndex(I16, index, Float.floatToFloat16(value));
            case BF16 -> segment.setAtIndex(I16, index, floatToBf16(value));
        }
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round-to-nearest-even, as PyTorch does; NaN stays NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
