package dev.evomerge.checkpoint;

import java.util.Locale;

/**
 * Element types a merge reads and writes. Arithmetic is always done in float32; these are storage types.
 *
 * {@snippet :
 * DType t = DType.fromSafetensors("BF16");   // DType.BF16, 2 bytes per element
 * }
 */
public enum DType {
    F32(4),
    F16(2),
    BF16(2);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The name used in safetensors headers ("F32", "F16", "BF16"). */
    public String safetensorsName() {
        return name();
    }

    /** The name used for {@code torch_dtype} in config.json and for {@code dtype} in recipes. */
    public String torchName() {
        return switch (this) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
        };
    }

    /** Parses a safetensors dtype name; throws for anything this project cannot merge. */
    public static DType fromSafetensors(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported dtype '" + name + "' (supported: F32, F16, BF16)");
    }

    /** Parses a recipe or config.json dtype: "float32", "fp16", "bfloat16", "bf16", "F32", ... */
    public static DType fromTorchName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "float32", "fp32", "f32", "float" -> F32;
            case "float16", "fp16", "f16", "half" -> F16;
            case "bfloat16", "bf16" -> BF16;
            default -> throw new IllegalArgumentException(
                    "unknown dtype '" + name + "' (expected float32, float16 or bfloat16)");
        };
    }
}
