package dev.evomerge.optimizer.bench;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.Shape;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.Reductions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.javacpp.indexer.Bfloat16Indexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The reduction SLERP and model stock need (the Gram sums a.a, a.b, b.b of two tensors) with evomerge's
 * Vector API kernel against ND4J, the library the project uses for linear algebra, on the same memory in the
 * same run. ND4J wraps the tensors without copying; bf16 tensors are cast to f32 first (ND4J's BLAS dot
 * takes f32), as a chain of ND4J calls would. Prints the best of several runs per variant and the ratio.
 * Usage: {@code scripts/bench-reductions [elements] [reps]}.
 */
public final class ReductionBench {

    private ReductionBench() {
    }

    public static void main(String[] args) {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 32L << 20;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        System.out.printf(Locale.ROOT, "Gram sums of two tensors of %d elements, best of %d runs, %d cores%n", n,
                reps, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-6s %-44s %10s %10s%n", "dtype", "variant", "best ms", "GB/s read");
        try (Arena arena = Arena.ofShared()) {
            for (DType type : List.of(DType.BF16, DType.F32)) {
                TensorView a = tensor(arena, type, n, 1);
                TensorView b = tensor(arena, type, n, 2);
                double bytes = 2.0 * n * type.byteSize();
                double ours = best(reps, () -> Reductions.gram(null, List.of(a, b)));
                INDArray x = wrap(a);
                INDArray y = wrap(b);
                double nd4j = best(reps, () -> nd4jGram(x, y));
                print(type, "evomerge (one fused pass, Vector API)", ours, bytes);
                print(type, type == DType.BF16 ? "ND4J (cast to f32, then 3 BLAS dots)" : "ND4J (3 BLAS dots)",
                        nd4j, bytes);
                System.out.printf(Locale.ROOT, "%-6s ND4J takes %.1fx evomerge's time%n", type, nd4j / ours);
                double[] g = Reductions.gram(null, List.of(a, b));
                double[] h = nd4jGram(x, y);
                System.out.printf(Locale.ROOT, "%-6s a.b: evomerge %.6e, ND4J %.6e%n", type, g[1], h[1]);
            }
        }
    }

    /** a.a, a.b, b.b through ND4J. */
    static double[] nd4jGram(INDArray x, INDArray y) {
        INDArray xf = x.dataType() == DataType.FLOAT ? x : x.castTo(DataType.FLOAT);
        INDArray yf = y.dataType() == DataType.FLOAT ? y : y.castTo(DataType.FLOAT);
        var blas = Nd4j.getBlasWrapper();
        return new double[] {blas.dot(xf, xf), blas.dot(xf, yf), blas.dot(yf, yf)};
    }

    /** An ND4J view of the tensor's own memory (no copy). */
    static INDArray wrap(TensorView t) {
        long n = t.elementCount();
        DataBuffer buffer = switch (t.dtype()) {
            case BF16 -> {
                ShortPointer p = new ShortPointer(t.data().asByteBuffer().asShortBuffer());
                yield Nd4j.createBuffer(p, DataType.BFLOAT16, n, Bfloat16Indexer.create(p));
            }
            case F32 -> {
                FloatPointer p = new FloatPointer(t.data().asByteBuffer().asFloatBuffer());
                yield Nd4j.createBuffer(p, DataType.FLOAT, n, FloatIndexer.create(p));
            }
            case F16 -> throw new IllegalArgumentException("f16 is not benchmarked");
        };
        return Nd4j.create(buffer, new long[] {n}, new long[] {1}, 0, 'c', t.dtype() == DType.BF16
                ? DataType.BFLOAT16 : DataType.FLOAT);
    }

    private static TensorView tensor(Arena arena, DType type, long n, long seed) {
        MemorySegment seg = arena.allocate(n * type.byteSize(), 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            Floats.write(seg, type, i, (float) (r.nextGaussian() * 0.02));
        }
        return new TensorView("t", type, Shape.of(n), seg);
    }

    private static double best(int reps, Runnable run) {
        double[] ms = new double[reps];
        run.run();
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            run.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[0];
    }

    private static void print(DType type, String variant, double ms, double bytes) {
        System.out.printf(Locale.ROOT, "%-6s %-44s %10.1f %10.2f%n", type, variant, ms, bytes / ms / 1e6);
    }
}
