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
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The merge methods against mergekit 0.1.4's own code (scripts/reference/mergekit_reference.py ran mergekit's
 * method modules to make the fixture). Every deterministic method: the expected tensors for the same inputs and
 * recipe parameters, with mergekit's defaults for the ones a case leaves out. DARE and DELLA, whose masks are
 * random draws: keep rates and rescale factors over 400 of mergekit's draws against 400 of ours (both sides
 * seeded, so the comparison never changes without a change to the code).
 */
class MergekitParityTest {

    private static final Path DIR = Path.of("src/test/resources/mergekit-parity");
    private static final SafetensorsFile INPUTS = SafetensorsFile.open(DIR.resolve("inputs.safetensors"));
    private static final SafetensorsFile EXPECTED = SafetensorsFile.open(DIR.resolve("expected.safetensors"));
    private static final SafetensorsFile RANDOM = SafetensorsFile.open(DIR.resolve("random.safetensors"));

    /**
     * Allowed difference, in float32 ulps of the expected tensor's largest magnitude. mergekit's parameter-space
     * methods sum and divide in the same order as evomerge, so they agree to the bit. SLERP's and model stock's
     * angles come from float32 numpy and torch reductions in mergekit and from double sums here, and model stock's
     * blend can cancel to values far below the tensor's scale.
     */
    private static final Map<String, Integer> ULPS = Map.of("slerp", 4, "model_stock", 4);

    private static JsonNode fixture() {
        return ParityCase.fixture(DIR);
    }

    static Stream<ParityCase> cases() {
        return ParityCase.read(DIR).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void agreesWithMergekit(ParityCase c) {
        for (String tensor : List.of("mlp.weight", "norm.weight")) {
            List<MergeInputs.Source> sources = new ArrayList<>();
            for (int i = 0; i < c.models().size(); i++) {
                sources.add(new MergeInputs.Source(INPUTS.tensor(c.models().get(i) + "." + tensor),
                        Parameters.of(c.modelParameters().get(i))));
            }
            TensorView base = c.base() ? INPUTS.tensor("base." + tensor) : null;
            float[] got = Tensors.merge(c.method(), base, sources, Parameters.of(c.global()), 1L, DType.F32);
            float[] want = Tensors.read(EXPECTED.tensor(c.name() + "." + tensor).data(), DType.F32);
            assertEquals(want.length, got.length, tensor);
            float maxAbs = 0;
            for (float w : want) {
                maxAbs = Math.max(maxAbs, Math.abs(w));
            }
            float allowed = ULPS.getOrDefault(c.method(), 0) * Math.ulp(maxAbs);
            for (int i = 0; i < want.length; i++) {
                int at = i;
                assertTrue(Math.abs(got[i] - want[i]) <= allowed, () -> c.name() + " " + tensor + "[" + at
                        + "]: evomerge " + got[at] + ", mergekit " + want[at]);
            }
        }
    }

    /**
     * DELLA keeps an element with a probability that rises with its magnitude's rank in its row. Over the
     * fixture's runs, the keep rate of each rank (averaged over the rows) and its slope across the ranks match
     * mergekit's draws. Each rank's rate rests on 102,400 draws per side (standard error of the difference
     * 0.0022); the slope's standard error is 3e-5, and ranking by c rather than c - 1 would move it by 2.6e-4.
     */
    @Test
    void dellaKeepsByRankAsMergekitDoes() {
        JsonNode random = fixture().get("random");
        int runs = random.get("runs").asInt();
        TensorView base = RANDOM.tensor("base");
        TensorView model = RANDOM.tensor("model");
        int rows = (int) base.shape().dim(0);
        int cols = (int) base.shape().dim(1);
        float[] b = Tensors.read(base.data(), DType.F32);
        float[] x = Tensors.read(model.data(), DType.F32);
        float[] theirs = Tensors.read(RANDOM.tensor("della_keep_rate").data(), DType.F32);
        double[] ours = new double[b.length];
        Parameters perModel = Parameters.of(Map.of("weight", 1.0,
                "density", random.get("della").get("density").asDouble(),
                "epsilon", random.get("della").get("epsilon").asDouble()));
        for (int run = 0; run < runs; run++) {
            float[] out = Tensors.merge("della_linear", base, List.of(new MergeInputs.Source(model, perModel)),
                    Parameters.of(Map.of("rescale", false)), run, DType.F32);
            for (int i = 0; i < out.length; i++) {
                ours[i] += out[i] != b[i] ? 1.0 / runs : 0;
            }
        }
        double[] oursByRank = new double[cols];
        double[] theirsByRank = new double[cols];
        for (int r = 0; r < rows; r++) {
            Integer[] order = new Integer[cols];
            for (int c = 0; c < cols; c++) {
                order[c] = r * cols + c;
            }
            Arrays.sort(order, Comparator.comparingDouble(i -> Math.abs(x[i] - b[i])));
            for (int rank = 0; rank < cols; rank++) {
                oursByRank[rank] += ours[order[rank]] / rows;
                theirsByRank[rank] += theirs[order[rank]] / rows;
            }
        }
        for (int rank = 0; rank < cols; rank++) {
            assertEquals(theirsByRank[rank], oursByRank[rank], 0.012, "keep rate of rank " + rank);
        }
        assertEquals(slope(theirsByRank), slope(oursByRank), 1.5e-4, "keep rate's rise per rank");
    }

    /**
     * DARE keeps each element with probability density and rescales the kept ones by the task vector's L1
     * norm over the kept part's. Over the fixture's runs, the keep rate (standard error 2e-4 per side) and the
     * mean rescale factor (about 0.003) match mergekit's draws; an L2 rescale would give about 1.8, not 3.3.
     */
    @Test
    void dareKeepsAndRescalesAsMergekitDoes() {
        JsonNode random = fixture().get("random");
        JsonNode dare = random.get("dare");
        int runs = random.get("runs").asInt();
        TensorView base = RANDOM.tensor("base");
        TensorView model = RANDOM.tensor("model");
        float[] b = Tensors.read(base.data(), DType.F32);
        float[] x = Tensors.read(model.data(), DType.F32);
        Parameters perModel = Parameters.of(Map.of("weight", 1.0, "density", dare.get("density").asDouble()));
        long kept = 0;
        double scale = 0;
        for (int run = 0; run < runs; run++) {
            float[] out = Tensors.merge("dare_linear", base, List.of(new MergeInputs.Source(model, perModel)),
                    Parameters.of(Map.of()), run, DType.F32);
            double sum = 0;
            int count = 0;
            for (int i = 0; i < out.length; i++) {
                if (out[i] != b[i]) {
                    sum += (out[i] - b[i]) / (x[i] - b[i]);
                    count++;
                }
            }
            kept += count;
            scale += sum / count / runs;
        }
        assertEquals(dare.get("keep_rate").asDouble(), (double) kept / runs / b.length, 0.002, "keep rate");
        assertEquals(dare.get("mean_scale").asDouble(), scale, 0.02, "mean rescale factor");
    }

    /** The least-squares slope of {@code y} over its indices. */
    private static double slope(double[] y) {
        double meanX = (y.length - 1) / 2.0;
        double meanY = Arrays.stream(y).average().orElseThrow();
        double num = 0;
        double den = 0;
        for (int i = 0; i < y.length; i++) {
            num += (i - meanX) * (y[i] - meanY);
            den += (i - meanX) * (i - meanX);
        }
        return num / den;
    }

    /** Every method but those drawing random masks has a case here or in the newer methods' fixture. */
    @Test
    void everyDeterministicMethodIsCovered() {
        List<String> covered = Stream.concat(cases().map(ParityCase::method),
                MergekitParityStandInTest.cases().map(ParityCase::method)).distinct().toList();
        for (String method : MergeMethods.names()) {
            boolean random = MergeMethods.byName(method).seeded();
            assertTrue(random || covered.contains(method), method + " has no mergekit parity case");
        }
    }

    @AfterAll
    static void close() {
        INPUTS.close();
        EXPECTED.close();
        RANDOM.close();
    }
}
