package dev.evomerge.eval.runtime;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The float type the decoder holds weights and activations in. In float16 it keeps to what transformers
 * does in half precision: RMS norms and the attention softmax compute in float32 and cast back, and
 * log-probabilities come from float32 logits. bfloat16 is not offered: DJL's PyTorch engine cannot hold it.
 */
public enum Precision {
    FLOAT32(DataType.FLOAT32, "float32"),
    FLOAT16(DataType.FLOAT16, "float16");

    private final DataType dataType;
    private final String label;

    Precision(DataType dataType, String label) {
        this.dataType = dataType;
        this.label = label;
    }

    public static Precision parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "float32", "fp32", "f32" -> FLOAT32;
            case "float16", "fp16", "f16", "half" -> FLOAT16;
            default -> throw new IllegalArgumentException("unknown precision '" + s
                    + "' (expected float32 or float16; bfloat16 weights are widened, DJL cannot compute in bf16)");
        };
    }

    public DataType dataType() {
        return dataType;
    }

    public String label() {
        return label;
    }
}
