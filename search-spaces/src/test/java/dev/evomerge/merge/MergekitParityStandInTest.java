package dev.evomerge.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SafetensorsFile;
import dev.evomerge.checkpoint.TensorView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * nuslerp, multislerp, karcher, sce, ram, ramplus_tl, nearswap and arcee_fusion against mergekit's own modules
 * (mergekit 0.1.4-18-ga6e4028), run by scripts/reference/mergekit_reference.py --numpy-torch. torch was not
 * available where the fixture was made: scripts/reference/numpy_torch.py stands in for it, with torch's float32
 * element-wise rounding and type promotion, but reductions accumulated in float64 and numpy's float32 sin, cos,
 * acos, exp and log (an ulp from torch's on some inputs). The tolerances below cover both that and evomerge's own
 * double-precision angles and norms.
 */
class MergekitParityStandInTest {

    private static final Path DIR = Path.of("src/test/resources/mergekit-parity-numpy-torch");
    private static final SafetensorsFile INPUTS = SafetensorsFile.open(DIR.resolve("inputs.safetensors"));
    private static final SafetensorsFile EXPECTED = SafetensorsFile.open(DIR.resolve("expected.safetensors"));
    private static final List<String> TENSORS = List.of("mlp.weight", "attn.weight", "norm.weight");

    /**
     * Allowed difference, in float32 ulps of the expected tensor's largest magnitude. The spherical methods' angles,
     * norms and the Karcher iteration are float32 in mergekit and double here (they differ by a few 1e-7);
     * multislerp's float32 tangent term is pure rounding noise that evomerge does not reproduce. The per-element
     * methods round each operation in float32 as mergekit does, and sce's weights come from float32 means there.
     */
    private static final Map<String, Integer> ULPS = Map.of("nuslerp", 4, "multislerp", 4, "karcher", 4,
            "sce", 2, "ram", 1, "ramplus_tl", 1, "nearswap", 1, "arcee_fusion", 1);

    private static JsonNode fixture() {
        return ParityCase.fixture(DIR);
    }

    static Stream<ParityCase> cases() {
        return ParityCase.read(DIR).stream();
    }

    private static float[] merge(ParityCase c, String tensor) {
        List<MergeInputs.Source> sources = new ArrayList<>();
        for (int i = 0; i < c.models().size(); i++) {
            sources.add(new MergeInputs.Source(INPUTS.tensor(c.models().get(i) + "." + tensor),
                    Parameters.of(c.modelParameters().get(i))));
        }
        TensorView base = c.base() ? INPUTS.tensor("base." + tensor) : null;
        return Tensors.merge(c.method(), base, sources, Parameters.of(c.global()), 1L, DType.F32);
    }

    private static float[] expected(String key) {
        return Tensors.read(EXPECTED.tensor(key).data(), DType.F32);
    }

    private static float allowed(String method, float[] want) {
        float maxAbs = 0;
        for (float w : want) {
            maxAbs = Math.max(maxAbs, Math.abs(w));
        }
        return ULPS.get(method) * Math.ulp(maxAbs);
    }

    static Stream<ParityCase> elementwiseCases() {
        return cases().filter(c -> !c.method().equals("arcee_fusion"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("elementwiseCases")
    void agreesWithMergekit(ParityCase c) {
        for (String tensor : TENSORS) {
            float[] got = merge(c, tensor);
            float[] want = expected(c.name() + "." + tensor);
            assertEquals(want.length, got.length, tensor);
            float allowed = allowed(c.method(), want);
            for (int i = 0; i < want.length; i++) {
                int at = i;
                assertTrue(Math.abs(got[i] - want[i]) <= allowed, () -> c.name() + " " + tensor + "[" + at
                        + "]: evomerge " + got[at] + ", mergekit " + want[at] + " (allowed " + allowed + ")");
            }
        }
    }

    static Stream<ParityCase> fusionCases() {
        return cases().filter(c -> c.method().equals("arcee_fusion"));
    }

    /**
     * arcee_fusion's mask cannot match entry for entry: mergekit's float32 KL of two close rows cancels, so an
     * importance is only known to within {@link #importanceError} of it. The test checks that mergekit's own
     * importances lie within that bound of evomerge's (so the bound is honest), then that every entry whose
     * importance is farther than the bound (plus the threshold's own error) from the threshold is fused or kept
     * as mergekit does, to the bit; and that at least nine in ten entries are that far.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fusionCases")
    void fusesAsMergekitDoesAwayFromTheThreshold(ParityCase c) {
        for (String tensor : TENSORS) {
            TensorView base = INPUTS.tensor("base." + tensor);
            TensorView x = INPUTS.tensor(c.models().getFirst() + "." + tensor);
            long cols = ArceeFusion.columns(base);
            double[] kl = ArceeFusion.rowDivergences(x, base, cols);
            double[] bound = importanceError(x, base, cols);
            float[] theirImportance = expected(c.name() + ".importance." + tensor);
            int n = theirImportance.length;
            double worst = 0;
            for (int i = 0; i < n; i++) {
                double ours = ArceeFusion.importance(x.getFloat(i), base.getFloat(i), kl[(int) (i / cols)]);
                double err = Math.abs(x.getFloat(i) - base.getFloat(i)) * bound[(int) (i / cols)];
                int at = i;
                assertTrue(Math.abs(ours - theirImportance[i]) <= err + Math.ulp(theirImportance[i]),
                        () -> c.name() + " " + tensor + " importance[" + at + "]: evomerge " + ours + ", mergekit "
                                + theirImportance[at]);
                worst = Math.max(worst, err);
            }
            double ourThreshold = ArceeFusion.threshold(x, base, kl, cols, 1L);
            double theirThreshold = fixture().get("arcee_fusion_thresholds").get(c.name() + "." + tensor).asDouble();
            // An order statistic moves by at most the largest error of any entry; median + 1.5 IQR by 4 times that.
            double thresholdError = 4 * worst;
            assertTrue(Math.abs(ourThreshold - theirThreshold) <= thresholdError,
                    c.name() + " " + tensor + " threshold: evomerge " + ourThreshold + ", mergekit " + theirThreshold);
            float[] got = merge(c, tensor);
            float[] want = expected(c.name() + "." + tensor);
            int decided = 0;
            for (int i = 0; i < n; i++) {
                double ours = ArceeFusion.importance(x.getFloat(i), base.getFloat(i), kl[(int) (i / cols)]);
                double margin = Math.abs(x.getFloat(i) - base.getFloat(i)) * bound[(int) (i / cols)] + thresholdError;
                if (Math.abs(ours - ourThreshold) <= margin) {
                    continue;
                }
                decided++;
                int at = i;
                assertEquals(want[i], got[i], () -> c.name() + " " + tensor + "[" + at + "]: importance " + ours
                        + ", threshold " + ourThreshold);
            }
            assertTrue(decided >= 0.9 * n, c.name() + " " + tensor + ": only " + decided + " of " + n
                    + " entries lie clear of the threshold");
        }
    }

    /**
     * A bound on the float32 error of a row's KL: each term {@code p log(p/q)} carries the rounding of the two
     * softmaxes (a few float32 eps relative to p each, which log turns into an absolute error of that size),
     * of the ratio, the log and the product, so the sum errs by at most {@code 8 eps sum p (1 + |log(p/q)|)}.
     */
    static double[] importanceError(TensorView x, TensorView base, long cols) {
        int rows = (int) (base.elementCount() / cols);
        double eps = Math.ulp(1f);
        double[] bound = new double[rows];
        for (int r = 0; r < rows; r++) {
            double[] p = softmax(x, r * cols, cols);
            double[] q = softmax(base, r * cols, cols);
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += p[j] * (1 + Math.abs(Math.log(p[j] / q[j])));
            }
            bound[r] = 8 * eps * s;
        }
        return bound;
    }

    private static double[] softmax(TensorView t, long from, long cols) {
        double[] e = new double[(int) cols];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
            max = Math.max(max, t.getFloat(from + j));
        }
        double sum = 0;
        for (int j = 0; j < cols; j++) {
            e[j] = Math.exp(t.getFloat(from + j) - max);
            sum += e[j];
        }
        for (int j = 0; j < cols; j++) {
            e[j] = e[j] / sum + 1e-8;
        }
        return e;
    }

    @Test
    void everyMethodAddedAfterMergekit014IsCovered() {
        List<String> covered = cases().map(ParityCase::method).distinct().toList();
        for (String method : List.of("nuslerp", "multislerp", "karcher", "sce", "ram", "ramplus_tl", "nearswap",
                "arcee_fusion")) {
            assertTrue(covered.contains(method), method + " has no mergekit parity case");
        }
    }

    @AfterAll
    static void close() {
        INPUTS.close();
        EXPECTED.close();
    }
}
