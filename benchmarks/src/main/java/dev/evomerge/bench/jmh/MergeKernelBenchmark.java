package dev.evomerge.bench.jmh;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.Shape;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.MergeInputs;
import dev.evomerge.merge.MergeMethod;
import dev.evomerge.merge.MergeMethods;
import dev.evomerge.merge.Parameters;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One tensor merged by each method's kernel, from off-heap inputs into an off-heap output, beside a plain copy
 * of the same input bytes ({@link #copyInputs}): the copy is the ceiling the kernels are measured against, so
 * compare a method's time with it rather than across machines. Inputs are a base and three fine-tunes
 * (slerp takes one), N(0, 0.02) weights with small task vectors, as merges see them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
public class MergeKernelBenchmark {

    @Param({"linear", "task_arithmetic", "ties", "dare_ties", "slerp", "model_stock"})
    public String method;

    @Param({"4194304"})
    public int elements;

    @Param({"bf16", "float32"})
    public String dtype;

    private Arena arena;
    private MergeMethod kernel;
    private MergeInputs inputs;
    private MemorySegment out;
    private DType type;
    private MemorySegment copyFrom;
    private MemorySegment copyTo;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        type = DType.fromTorchName(dtype);
        kernel = MergeMethods.byName(method);
        TensorView base = tensor("base", 1, 0);
        int fineTunes = method.equals("slerp") ? 1 : 3;
        List<MergeInputs.Source> sources = new ArrayList<>();
        for (int i = 0; i < fineTunes; i++) {
            sources.add(new MergeInputs.Source(tensor("ft" + i, 1, 100 + i), Parameters.of(parameters(i))));
        }
        boolean usesBase = !method.equals("linear");
        Map<String, Object> global = method.equals("slerp") ? Map.of("t", 0.3) : Map.of();
        inputs = new MergeInputs(usesBase ? base : null, sources, Parameters.of(global), 42L);
        out = arena.allocate((long) elements * type.byteSize(), 64);
        long inputBytes = (long) elements * type.byteSize() * (fineTunes + (usesBase ? 1 : 0));
        copyFrom = arena.allocate(inputBytes, 64);
        copyTo = arena.allocate(inputBytes, 64);
    }

    private Map<String, Object> parameters(int i) {
        return switch (method) {
            case "ties", "dare_ties" -> Map.of("weight", 0.5 + 0.1 * i, "density", 0.5);
            case "slerp", "model_stock" -> Map.of();
            default -> Map.of("weight", 0.5 + 0.1 * i);
        };
    }

    /** The base's weights, or (with {@code seed} != 0) the base plus a small task vector drawn from it. */
    private TensorView tensor(String name, long baseSeed, long seed) {
        SplittableRandom weights = new SplittableRandom(baseSeed);
        SplittableRandom delta = new SplittableRandom(seed);
        MemorySegment seg = arena.allocate((long) elements * type.byteSize(), 64);
        for (int i = 0; i < elements; i++) {
            double w = weights.nextGaussian() * 0.02;
            Floats.write(seg, type, i, (float) (seed == 0 ? w : w + delta.nextGaussian() * 0.002));
        }
        return new TensorView(name, type, Shape.of(elements / 1024, 1024), seg);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment merge() {
        kernel.merge(inputs, out, type);
        return out;
    }

    @Benchmark
    public MemorySegment copyInputs() {
        MemorySegment.copy(copyFrom, 0, copyTo, 0, copyFrom.byteSize());
        return copyTo;
    }
}
