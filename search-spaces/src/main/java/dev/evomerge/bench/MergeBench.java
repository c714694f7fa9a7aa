package dev.evomerge.bench;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.Shape;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.MergeInputs;
import dev.evomerge.merge.MergeMethod;
import dev.evomerge.merge.MergeMethods;
import dev.evomerge.merge.Parameters;
import dev.evomerge.merge.kernel.Chunks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Merge throughput in GB/s of input read, next to a plain memory copy of the same bytes in the same run:
 * a base and three fine-tunes of bf16 tensors held off-heap, merged tensor by tensor into bf16 outputs.
 * Run it with {@code scripts/bench-merge [elementsPerModel] [tensors] [reps]}.
 *
 * {@snippet :
 * MergeBench.main(new String[] {"33554432", "8", "7"});
 * }
 */
public final class MergeBench {

    private MergeBench() {
    }

    public static void main(String[] args) {
        long elements = args.length > 0 ? Long.parseLong(args[0]) : 32L << 20;
        int tensors = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        long perTensor = elements / tensors;
        int models = 4;
        try (Arena arena = Arena.ofShared()) {
            List<List<TensorView>> model = new ArrayList<>();
            for (int m = 0; m < models; m++) {
                List<TensorView> views = new ArrayList<>();
                for (int t = 0; t < tensors; t++) {
                    MemorySegment seg = arena.allocate(perTensor * 2, 64);
                    fill(seg, perTensor, m, t);
                    views.add(new TensorView("model.layers." + t + ".mlp.up_proj.weight", DType.BF16,
                            Shape.of(perTensor), seg));
                }
                model.add(views);
            }
            List<MemorySegment> outs = new ArrayList<>();
            for (int t = 0; t < tensors; t++) {
                outs.add(arena.allocate(perTensor * 2, 64));
            }
            long inputBytes = models * perTensor * 2 * tensors;
            System.out.printf(Locale.ROOT, "evomerge merge benchmark: base + 3 fine-tunes, %d bf16 tensors of %d"
                    + " elements each (%.0f MB input), %d reps, %d threads, %s lanes, load average %.2f%n", tensors,
                    perTensor, inputBytes / 1e6, reps, Runtime.getRuntime().availableProcessors(),
                    jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, loadAverage());
            MemorySegment copyDst = arena.allocate(perTensor * 2, 64);
            double[] copy = time(reps, () -> {
                for (List<TensorView> views : model) {
                    for (TensorView v : views) {
                        copy(v.data(), copyDst);
                    }
                }
            });
            List<Object[]> rows = new ArrayList<>();
            rows.add(new Object[] {"memory copy", copy});
            // -Dbench.methods=ties,linear times a subset (the copy baseline always runs).
            String chosen = System.getProperty("bench.methods", "linear,task_arithmetic,ties,dare_ties");
            for (String method : List.of(chosen.split(","))) {
                MergeMethod m = MergeMethods.byName(method);
                double[] s = time(reps, () -> {
                    for (int t = 0; t < tensors; t++) {
                        m.merge(inputs(method, model, t), outs.get(t), DType.BF16);
                    }
                });
                rows.add(new Object[] {method, s});
            }
            double copyBest = inputBytes / copy[0] / 1e9;
            double copyMedian = inputBytes / copy[(copy.length - 1) / 2] / 1e9;
            System.out.printf(Locale.ROOT, "%-16s %9s %9s %10s %12s %9s %11s %11s%n", "method", "best s", "median s",
                    "best GB/s", "median GB/s", "vs copy", "(medians)", "cpu s/run");
            for (Object[] row : rows) {
                double[] s = (double[]) row[1];
                double best = inputBytes / s[0] / 1e9;
                double median = inputBytes / s[(s.length - 1) / 2] / 1e9;
                System.out.printf(Locale.ROOT, "%-16s %9.4f %9.4f %10.2f %12.2f %8.0f%% %10.0f%% %11.4f%n", row[0],
                        s[0], s[(s.length - 1) / 2], best, median, 100 * best / copyBest, 100 * median / copyMedian,
                        s[s.length - 1]);
            }
            // Other processes compete for the cores: the load average tells how far to trust the figures.
            System.out.printf(Locale.ROOT, "load average at the end: %.2f%n", loadAverage());
        }
    }

    private static MergeInputs inputs(String method, List<List<TensorView>> model, int t) {
        List<MergeInputs.Source> sources = new ArrayList<>();
        double[] weights = {0.4, 0.3, 0.3};
        TensorView base = model.getFirst().get(t);
        if (method.equals("linear")) {
            sources.add(new MergeInputs.Source(base, Parameters.of(Map.of("weight", 0.25))));
        }
        for (int m = 1; m < model.size(); m++) {
            sources.add(new MergeInputs.Source(model.get(m).get(t),
                    Parameters.of(Map.of("weight", method.equals("linear") ? 0.25 : weights[m - 1], "density", 0.5))));
        }
        return new MergeInputs(method.equals("linear") ? null : base, sources, Parameters.of(Map.of()), 42L + t);
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Copies in parallel chunks, like the merges, so both use every core. */
    private static void copy(MemorySegment src, MemorySegment dst) {
        long elements = src.byteSize() / 2;
        Chunks.forEach(elements, Chunks.FINE, (c, from, to) -> MemorySegment.copy(src, from * 2, dst, from * 2, (to - from) * 2));
    }

    /**
     * Seconds per run, sorted, followed by the process's CPU seconds per run (all threads, averaged over the
     * timed runs): warm-up runs first, then {@code reps} timed runs. On a busy machine the CPU time shows what
     * the wall time would be with the cores to itself (about CPU time / threads, for the kernels that scale).
     */
    private static double[] time(int reps, Runnable run) {
        for (int i = 0; i < 2; i++) {
            run.run();
        }
        double[] s = new double[reps + 1];
        long cpu0 = processCpuNanos();
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            run.run();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        s[reps] = (processCpuNanos() - cpu0) / 1e9 / reps;
        Arrays.sort(s, 0, reps);
        return s;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Weights-like values: a base around 0 (scale 0.02) plus a per-model perturbation (scale 0.002). */
    private static void fill(MemorySegment seg, long n, int model, int tensor) {
        Chunks.forEach(n, (c, from, to) -> {
            for (long i = from; i < to; i++) {
                float base = gaussianish(i * 31 + tensor) * 0.02f;
                float delta = model == 0 ? 0f : gaussianish(i * 131 + model * 7919L + tensor * 104729L) * 0.002f;
                Floats.write(seg, DType.BF16, i, base + delta);
            }
        });
    }

    private static float gaussianish(long i) {
        long h = dev.evomerge.merge.kernel.MaskHash.splitmix64(i);
        // Sum of four uniforms: cheap, roughly bell-shaped, mean 0.
        float s = 0;
        for (int k = 0; k < 4; k++) {
            s += ((h >>> (16 * k)) & 0xffff) / 65536f - 0.5f;
        }
        return s;
    }
}
