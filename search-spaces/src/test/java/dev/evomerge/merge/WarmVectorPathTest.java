package dev.evomerge.merge;

import static dev.evomerge.merge.Tensors.params;
import static dev.evomerge.merge.Tensors.source;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Shape;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.SmallTensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Small tensors take the Vector API loops once a process is warm. Those loops had run only on tensors of
 * {@link SmallTensors#SCALAR_BELOW} elements and more before, so every method is run here on small and odd
 * sizes both ways, and must give the same bits.
 */
class WarmVectorPathTest {

    private record Config(String method, boolean base, int sources, Object[] perModel, Object[] global) {
    }

    private static final List<Config> CONFIGS = List.of(
            new Config("linear", false, 3, new Object[] {"weight", 0.4}, new Object[] {}),
            new Config("task_arithmetic", true, 3, new Object[] {"weight", 0.4}, new Object[] {}),
            new Config("task_arithmetic", true, 2, new Object[] {"weight", 0.7}, new Object[] {"normalize", true}),
            new Config("ties", true, 3, new Object[] {"weight", 0.5, "density", 0.3}, new Object[] {}),
            new Config("ties", true, 2, new Object[] {"weight", 0.5, "density", 0.6}, new Object[] {"lambda", 1.2}),
            new Config("dare_ties", true, 3, new Object[] {"weight", 0.5, "density", 0.4}, new Object[] {}),
            new Config("dare_linear", true, 2, new Object[] {"weight", 0.5, "density", 0.4}, new Object[] {}),
            new Config("breadcrumbs", true, 3, new Object[] {"weight", 0.5, "density", 0.8, "gamma", 0.05},
                    new Object[] {}),
            new Config("breadcrumbs_ties", true, 2, new Object[] {"weight", 0.5, "density", 0.8, "gamma", 0.1},
                    new Object[] {}),
            new Config("della", true, 3, new Object[] {"weight", 0.5, "density", 0.5, "epsilon", 0.1},
                    new Object[] {}),
            new Config("della_linear", true, 2, new Object[] {"weight", 0.5, "density", 0.5, "epsilon", 0.1},
                    new Object[] {}),
            new Config("slerp", true, 1, new Object[] {}, new Object[] {"t", 0.3}),
            new Config("model_stock", true, 2, new Object[] {}, new Object[] {}),
            new Config("model_stock", true, 3, new Object[] {}, new Object[] {}),
            new Config("passthrough", false, 1, new Object[] {}, new Object[] {"scale", 0.5}));

    @AfterEach
    void cold() {
        SmallTensors.warm(false);
    }

    @ParameterizedTest(name = "{0} elements")
    @ValueSource(ints = {1, 7, 64, 65, 1000, 4097, 70001})
    void vectorLoopsGiveTheScalarLoopsBits(int n) {
        for (DType type : List.of(DType.BF16, DType.F32)) {
            for (Config c : CONFIGS) {
                SmallTensors.warm(false);
                float[] scalar = merge(c, n, type);
                SmallTensors.warm(true);
                float[] vector = merge(c, n, type);
                assertArrayEquals(scalar, vector, c.method() + " on " + c.sources() + " " + type + " sources");
            }
        }
    }

    @Test
    void aProcessWarmsUpOnLargeTensorsOnly() {
        SmallTensors.warm(false);
        assertTrue(SmallTensors.scalar(1000));
        for (int i = 0; i < 1000; i++) {
            SmallTensors.merged(SmallTensors.SCALAR_BELOW - 1);   // small tensors never warm it
        }
        assertFalse(SmallTensors.warm());
        SmallTensors.merged(SmallTensors.WARM_AFTER - SmallTensors.SCALAR_BELOW);
        assertFalse(SmallTensors.warm());
        SmallTensors.merged(SmallTensors.SCALAR_BELOW);
        assertTrue(SmallTensors.warm());
        assertFalse(SmallTensors.scalar(1000));
    }

    private static float[] merge(Config c, int n, DType type) {
        Shape shape = Shape.of(n);
        for (int rows = 2; rows <= 64; rows++) {
            if (n % rows == 0 && n / rows > 1) {
                shape = Shape.of(rows, n / rows);   // 2-D where it can be, so DELLA ranks within rows
                break;
            }
        }
        TensorView base = c.base() ? tensor("base", shape, type, Tensors.random(1, n, 0.02), null) : null;
        List<MergeInputs.Source> sources = new ArrayList<>();
        float[] b = Tensors.random(1, n, 0.02);
        for (int s = 0; s < c.sources(); s++) {
            sources.add(source(tensor("m" + s, shape, type, Tensors.random(10 + s, n, 0.01), b), c.perModel()));
        }
        return Tensors.merge(c.method(), base, sources, params(c.global()), 99L, type);
    }

    /** {@code delta} plus {@code around} when it is given: a fine-tune of that base. */
    private static TensorView tensor(String name, Shape shape, DType type, float[] delta, float[] around) {
        float[] v = delta.clone();
        if (around != null) {
            for (int i = 0; i < v.length; i++) {
                v[i] += around[i];
            }
        }
        return Tensors.of(name, type, shape, v);
    }
}
