package dev.evomerge.bench;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.Shape;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.Gene;
import dev.evomerge.merge.MergeInputs;
import dev.evomerge.merge.MergeMethod;
import dev.evomerge.merge.MergeMethods;
import dev.evomerge.merge.ParameterSpec;
import dev.evomerge.merge.Parameters;
import dev.evomerge.merge.SearchGenes;
import dev.evomerge.merge.kernel.Chunks;
import dev.evomerge.merge.kernel.SmallTensors;
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
 * Every timed merge is paired with a copy timed beside it, and "vs copy" is the median of the pairs' ratios.
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
        // -Dbench.sources=2 times base + 2 fine-tunes (the copy then copies those three models).
        int sourceCount = Integer.getInteger("bench.sources", 3);
        if (sourceCount < 2 || sourceCount > 4) {
            System.err.println("bench-merge: -Dbench.sources must be 2, 3 or 4, not " + sourceCount);
            System.exit(2);
        }
        // -Dbench.smallTensors=vector times tensors under SmallTensors.SCALAR_BELOW elements as a warm process
        // merges them (Vector API loops), =scalar as a cold one does; unset, as a cold one.
        String small = System.getProperty("bench.smallTensors", "scalar");
        if (!small.equals("scalar") && !small.equals("vector")) {
            System.err.println("bench-merge: -Dbench.smallTensors must be scalar or vector, not " + small);
            System.exit(2);
        }
        SmallTensors.warm(small.equals("vector"));
        int models = 1 + sourceCount;
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
            System.out.printf(Locale.ROOT, "evomerge merge benchmark: base + %d fine-tunes, %d bf16 tensors of %d"
                    + " elements each (%.0f MB input), %d reps, %d threads, %s lanes, load average %.2f%n", models - 1,
                    tensors, perTensor, inputBytes / 1e6, reps, Runtime.getRuntime().availableProcessors(),
                    jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, loadAverage());
            MemorySegment copyDst = arena.allocate(perTensor * 2, 64);
            Runnable copyAll = () -> {
                for (List<TensorView> views : model) {
                    for (TensorView v : views) {
                        copy(v.data(), copyDst);
                    }
                }
            };
            // -Dbench.methods=ties,linear times a subset (the copy baseline always runs).
            String chosen = System.getProperty("bench.methods", "linear,task_arithmetic,ties,dare_ties,slerp,"
                    + "model_stock,nuslerp,multislerp,karcher,sce,ram,ramplus_tl,nearswap,arcee_fusion");
            List<String> methods = List.of(chosen.split(","));
            List<Paired> rows = new ArrayList<>();
            for (String method : methods) {
                MergeMethod m = MergeMethods.byName(method);
                rows.add(Paired.time(reps, copyAll, () -> {
                    for (int t = 0; t < tensors; t++) {
                        m.merge(inputs(m, model, t), outs.get(t), DType.BF16);
                    }
                }));
            }
            double[] copies = rows.stream().flatMapToDouble(r -> Arrays.stream(r.copySeconds())).sorted().toArray();
            System.out.printf(Locale.ROOT, "%-16s %9s %9s %10s %12s %30s %11s%n", "method", "best s", "median s",
                    "best GB/s", "median GB/s", "vs copy (pairs: median, range)", "cpu s/run");
            System.out.printf(Locale.ROOT, "%-16s %9.4f %9.4f %10.2f %12.2f %30s %11s%n", "memory copy", copies[0],
                    median(copies), inputBytes / copies[0] / 1e9, inputBytes / median(copies) / 1e9, "100%", "");
            for (int i = 0; i < methods.size(); i++) {
                Paired r = rows.get(i);
                double[] s = r.mergeSeconds().clone();
                Arrays.sort(s);
                // Some methods read fewer models than the copy does: compare bytes per second.
                double read = (double) inputBytes * Math.min(models, modelsRead(methods.get(i))) / models;
                double[] ratio = Arrays.stream(r.ratios()).map(x -> x * read / inputBytes).toArray();
                System.out.printf(Locale.ROOT, "%-16s %9.4f %9.4f %10.2f %12.2f %13.0f%% (%3.0f-%3.0f%%) %11.4f%n",
                        methods.get(i), s[0], median(s), read / s[0] / 1e9, read / median(s) / 1e9,
                        100 * median(ratio), 100 * ratio[0], 100 * ratio[ratio.length - 1], r.mergeCpuSeconds());
            }
            // Other processes compete for the cores: the load average tells how far to trust the figures.
            System.out.printf(Locale.ROOT, "load average at the end: %.2f%n", loadAverage());
        }
    }

    /** How many of the benchmark's models a method reads: what {@link #inputs} hands it. */
    private static int modelsRead(String method) {
        MergeInputs in = inputs(MergeMethods.byName(method), List.of(List.of(), List.of(), List.of(), List.of()), -1);
        return in.sources().size() + (in.base() == null ? 0 : 1);
    }

    /**
     * A method's inputs for tensor {@code t}, read from what the method declares rather than from its name: as
     * many fine-tunes as its search selection merges (all three when it merges every model), the base as its
     * base when it takes one or else as one more weighted model, per-model weights from a fixed table (equal
     * weights of 0.25 when the base is a model too), densities of 0.5, the per-group genes at the middle of
     * their ranges, and 0.5 for any other required parameter. {@code t = -1} builds the structure only.
     */
    private static MergeInputs inputs(MergeMethod method, List<List<TensorView>> model, int t) {
        SearchGenes genes = method.searchGenes();
        int others = switch (genes.selection()) {
            case SearchGenes.Selection.SoftmaxPair p -> 1;
            case SearchGenes.Selection.Highest h -> h.count();
            case SearchGenes.Selection.Members mb -> Math.max(mb.min(), 2);
            case SearchGenes.Selection.Every e -> model.size() - 1;
        };
        boolean baseAsBase = method.takesBase() || genes.selection() instanceof SearchGenes.Selection.SoftmaxPair;
        boolean baseAsModel = !baseAsBase && genes.base() != SearchGenes.BaseUse.NONE
                && genes.selection() instanceof SearchGenes.Selection.Every;
        boolean baseAsMember = !baseAsBase && !baseAsModel && genes.base() != SearchGenes.BaseUse.NONE;
        double[] weights = {0.4, 0.3, 0.3, 0.2};
        List<MergeInputs.Source> sources = new ArrayList<>();
        List<TensorView> tensors = new ArrayList<>();
        if (baseAsModel || baseAsMember) {
            tensors.add(view(model.getFirst(), t));
        }
        for (int m = 1; m <= others; m++) {
            tensors.add(view(model.get(m), t));
        }
        for (int i = 0; i < tensors.size(); i++) {
            Map<String, Object> p = new java.util.HashMap<>();
            for (ParameterSpec spec : method.parameters()) {
                if (spec.scope() == ParameterSpec.Scope.PER_MODEL && spec.name().equals("weight")) {
                    p.put("weight", baseAsModel ? 0.25 : weights[i]);
                } else if (spec.scope() == ParameterSpec.Scope.PER_MODEL && spec.name().equals("density")) {
                    p.put("density", 0.5);
                }
            }
            sources.add(new MergeInputs.Source(tensors.get(i), Parameters.of(p)));
        }
        Map<String, Object> global = new java.util.HashMap<>();
        for (ParameterSpec spec : method.parameters()) {
            if (spec.scope() == ParameterSpec.Scope.GLOBAL && spec.required()) {
                global.put(spec.name(), 0.5);
            }
        }
        for (Gene g : genes.perGroup()) {
            global.put(g.name(), (g.lower() + g.upper()) / 2);
        }
        return new MergeInputs(baseAsBase ? view(model.getFirst(), t) : null, sources, Parameters.of(global), 42L + t);
    }

    /** The tensor, or a stand-in when only the structure is wanted. */
    private static TensorView view(List<TensorView> tensors, int t) {
        return t < 0 ? PLACEHOLDER : tensors.get(t);
    }

    private static final TensorView PLACEHOLDER = new TensorView("placeholder", DType.F32, Shape.of(0),
            MemorySegment.NULL);

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Copies in parallel chunks, like the merges, so both use every core. */
    private static void copy(MemorySegment src, MemorySegment dst) {
        long elements = src.byteSize() / 2;
        Chunks.forEach(elements, Chunks.FINE, (c, from, to) -> MemorySegment.copy(src, from * 2, dst, from * 2, (to - from) * 2));
    }

    private static double median(double[] sorted) {
        return sorted[(sorted.length - 1) / 2];
    }

    /**
     * One method's timed runs, each paired with a copy timed right next to it (alternately before and after),
     * so that the ratio compares the two under the same machine conditions: on a shared VM the bandwidth and
     * the CPU available drift by tens of percent between seconds.
     *
     * @param mergeCpuSeconds the process's CPU seconds per merge run (all threads): on a busy machine, what the
     *                        wall time would be with the cores to itself is about this over the thread count
     */
    record Paired(double[] copySeconds, double[] mergeSeconds, double mergeCpuSeconds) {

        static Paired time(int reps, Runnable copy, Runnable merge) {
            for (int i = 0; i < 2; i++) {
                copy.run();
                merge.run();
            }
            double[] c = new double[reps];
            double[] m = new double[reps];
            long cpu = 0;
            for (int i = 0; i < reps; i++) {
                if (i % 2 == 0) {
                    c[i] = seconds(copy);
                }
                long cpu0 = processCpuNanos();
                m[i] = seconds(merge);
                cpu += processCpuNanos() - cpu0;
                if (i % 2 == 1) {
                    c[i] = seconds(copy);
                }
            }
            return new Paired(c, m, cpu / 1e9 / reps);
        }

        /** Each pair's merge throughput over its copy's, sorted. */
        double[] ratios() {
            double[] r = new double[mergeSeconds.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = copySeconds[i] / mergeSeconds[i];
            }
            Arrays.sort(r);
            return r;
        }

        private static double seconds(Runnable run) {
            long t0 = System.nanoTime();
            run.run();
            return (System.nanoTime() - t0) / 1e9;
        }
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
