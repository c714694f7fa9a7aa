package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.FusedMerge;
import dev.evomerge.merge.kernel.MagnitudeSelect;
import dev.evomerge.merge.kernel.MaskHash;
import dev.evomerge.merge.kernel.Reductions;
import dev.evomerge.merge.kernel.SourceMask;
import dev.evomerge.merge.kernel.Tiles;
import dev.evomerge.merge.kernel.TopSet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * mergekit's generalized task arithmetic: task vectors {@code x - base} are sparsified, weighted, optionally
 * sign-elected, summed, optionally normalised, scaled by {@code lambda} and added to the base.
 * task_arithmetic, ties, dare_ties, dare_linear, breadcrumbs, breadcrumbs_ties, della and della_linear are
 * instances that differ only in {@link Sparsification}, {@link Consensus} and the defaults of
 * {@code normalize} and {@code rescale}.
 *
 * <p>{@code rescale} (as in mergekit) multiplies each sparsified task vector by
 * {@code ||d||_1 / ||masked d||_1} (skipped when either is below 1e-7); in expectation this is DARE's
 * {@code 1 / density}. {@code normalize} divides by the summed weights (of the sign-agreeing models under a
 * consensus; a zero sum divides by 1). {@code int8_mask} is accepted and ignored: masks are never stored as
 * int8 (a random mask that the rescale pass records takes one bit per element).
 *
 * {@snippet :
 * MergeMethod ties = new GeneralizedTaskArithmetic("ties", Sparsification.MAGNITUDE, Consensus.SUM, true, false,
 *         true);
 * }
 */
public final class GeneralizedTaskArithmetic implements MergeMethod {

    /** Stream offset for DELLA's random numbers, so they never coincide with DARE's for the same seed. */
    private static final int DELLA_STREAM = 1 << 20;

    private final String name;
    private final Sparsification sparsification;
    private final Consensus consensus;
    private final boolean defaultNormalize;
    private final boolean defaultRescale;
    private final List<ParameterSpec> parameters;
    private final SearchGenes searchGenes;

    /**
     * @param searchNormalize the {@code normalize} a searched recipe gets when the genome sets none
     *                        (mergekit-evolve's choice, which is not always mergekit's default)
     */
    public GeneralizedTaskArithmetic(String name, Sparsification sparsification, Consensus consensus,
                                     boolean defaultNormalize, boolean defaultRescale, boolean searchNormalize) {
        this.name = Objects.requireNonNull(name, "name");
        this.sparsification = Objects.requireNonNull(sparsification, "sparsification");
        this.consensus = Objects.requireNonNull(consensus, "consensus");
        this.defaultNormalize = defaultNormalize;
        this.defaultRescale = defaultRescale;
        List<ParameterSpec> specs = new ArrayList<>(List.of(
                ParameterSpec.global("int8_mask", false),
                ParameterSpec.global("normalize", defaultNormalize),
                ParameterSpec.global("rescale", defaultRescale),
                ParameterSpec.global("lambda", 1.0),
                ParameterSpec.perModel("weight", null),
                ParameterSpec.perModel("density", 1.0)));
        if (sparsification == Sparsification.MAGNITUDE_OUTLIERS) {
            specs.add(ParameterSpec.perModel("gamma", 0.01));
        }
        if (sparsification == Sparsification.DELLA_MAGPRUNE) {
            specs.add(ParameterSpec.perModel("epsilon", 0.15));
        }
        this.parameters = List.copyOf(specs);
        Gene weight = Gene.parameter("weight", 0, 1).allowingNegative();
        // DELLA refuses densities within its default epsilon (0.15) of 0 or 1, so its genes stay inside them
        Gene density = sparsification == Sparsification.DELLA_MAGPRUNE
                ? Gene.parameter("density", 0.16, 0.84) : Gene.parameter("density", 0, 1);
        this.searchGenes = sparsification == Sparsification.NONE
                ? SearchGenes.everyModel(SearchGenes.BaseUse.REQUIRED, searchNormalize, weight)
                : SearchGenes.everyModel(SearchGenes.BaseUse.REQUIRED, searchNormalize, weight, density);
    }

    @Override
    public SearchGenes searchGenes() {
        return searchGenes;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean seeded() {
        return sparsification == Sparsification.RANDOM || sparsification == Sparsification.DELLA_MAGPRUNE;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return parameters;
    }

    @Override
    public boolean requiresBase() {
        return true;
    }

    public Sparsification sparsification() {
        return sparsification;
    }

    public Consensus consensus() {
        return consensus;
    }

    @Override
    public void check(MergeInputs in) {
        in.requireBase(name);
        if (sparsification == Sparsification.NONE) {
            return;
        }
        for (MergeInputs.Source source : in.sources()) {
            Parameters p = source.parameters();
            String tensor = source.tensor().name();
            double density = number(p, "density", 1.0);
            // mergekit: an assertion in magnitude pruning, torch.bernoulli's range check in DARE.
            if (density < 0) {
                throw new IllegalArgumentException("tensor '" + tensor + "': density must be at least 0, got "
                        + density);
            }
            double gamma = number(p, "gamma", 0.01);
            if (sparsification == Sparsification.MAGNITUDE_OUTLIERS && gamma < 0) {
                throw new IllegalArgumentException("tensor '" + tensor + "': gamma must be at least 0, got " + gamma);
            }
            double epsilon = number(p, "epsilon", 0.15);
            if (sparsification == Sparsification.DELLA_MAGPRUNE && density > 0 && density < 1
                    && (density + epsilon >= 1 || density - epsilon <= 0)) {
                throw new IllegalArgumentException("tensor '" + tensor + "': epsilon " + epsilon
                        + " must keep density +/- epsilon inside (0, 1), density is " + density);
            }
        }
    }

    @Override
    public void merge(MergeInputs in, MemorySegment out, DType outType) {
        check(in);
        TensorView base = in.base();
        if (in.sources().isEmpty()) {
            FusedMerge.copy(base).run(out, outType);
            return;
        }
        int m = in.sources().size();
        List<TensorView> sources = in.sources().stream().map(MergeInputs.Source::tensor).toList();
        float[] weights = new float[m];
        SourceMask[] masks = new SourceMask[m];
        float[] scales = new float[m];
        Arrays.fill(masks, SourceMask.None.INSTANCE);
        Arrays.fill(scales, 1f);
        for (int s = 0; s < m; s++) {
            weights[s] = (float) in.sources().get(s).parameters().number("weight");
        }
        try (Arena arena = Arena.ofShared()) {
            buildMasks(in, base, sources, masks, arena);
            if (flag(in.global(), "rescale", defaultRescale)) {
                rescale(base, sources, masks, scales, arena);
            }
            float divisor = 1f;
            if (consensus == Consensus.NONE) {
                float sum = 0f;
                for (float w : weights) {
                    sum += w;
                }
                divisor = Math.abs(sum) < 1e-8f ? 1f : sum;
            }
            boolean normalize = flag(in.global(), "normalize", defaultNormalize);
            float lambda = (float) number(in.global(), "lambda", 1.0);
            FusedMerge.taskArithmetic(base, sources, weights, masks, scales,
                    new FusedMerge.Mixing(consensus, normalize, divisor, lambda)).run(out, outType);
        }
    }

    private void buildMasks(MergeInputs in, TensorView base, List<TensorView> sources, SourceMask[] masks,
                            Arena arena) {
        long n = base.elementCount();
        int m = sources.size();
        List<Integer> requestSource = new ArrayList<>();
        List<Long> requestK = new ArrayList<>();
        for (int s = 0; s < m; s++) {
            Parameters p = in.sources().get(s).parameters();
            double density = number(p, "density", 1.0);
            if (density >= 1 || sparsification == Sparsification.NONE) {
                continue;
            }
            switch (sparsification) {
                case MAGNITUDE -> {
                    // mergekit refuses a density that keeps no element; a search proposes such densities for
                    // small tensors (norm weights), so the single largest element is kept instead.
                    long k = Math.max(1, (long) (density * n));
                    requestSource.add(s);
                    requestK.add(k);
                }
                case MAGNITUDE_OUTLIERS -> {
                    double gamma = number(p, "gamma", 0.01);
                    long target = (long) (density * n);
                    long top = (long) (gamma * n);
                    long bottom = n - target - top;
                    if (bottom < 0) {
                        top += bottom;
                        bottom = 0;
                    }
                    if (top == 0) {
                        // mergekit keeps its ascending sort's indices[n_bot:-n_top], an empty slice when n_top
                        // is 0: below 1 / gamma elements the whole task vector is dropped. Followed, so that a
                        // recipe found here merges the same in mergekit (MergekitParityTest).
                        masks[s] = new SourceMask.RankBand(TopSet.NONE, TopSet.NONE);
                        continue;
                    }
                    requestSource.add(s);
                    requestK.add(n - bottom);
                    requestSource.add(s);
                    requestK.add(top);
                }
                case RANDOM -> masks[s] = SourceMask.Random.of(in.seed(), s, density);
                case DELLA_MAGPRUNE -> masks[s] = dellaMask(in, base, sources.get(s), s, density,
                        number(p, "epsilon", 0.15), arena);
                case NONE -> throw new AssertionError();
            }
        }
        if (requestK.isEmpty()) {
            return;
        }
        int[] sourceOf = requestSource.stream().mapToInt(Integer::intValue).toArray();
        long[] k = requestK.stream().mapToLong(Long::longValue).toArray();
        TopSet[] top = MagnitudeSelect.select(base, sources, sourceOf, k);
        if (sparsification == Sparsification.MAGNITUDE) {
            for (int r = 0; r < k.length; r++) {
                masks[sourceOf[r]] = new SourceMask.RankBand(top[r], TopSet.NONE);
            }
        } else {
            for (int r = 0; r < k.length; r += 2) {
                masks[sourceOf[r]] = new SourceMask.RankBand(top[r], top[r + 1]);
            }
        }
    }

    /**
     * DELLA's MagPrune: within each row (the whole tensor if 1-D), the element of rank r (0 = smallest |d|)
     * among c is kept with probability {@code density - epsilon + 2 epsilon r / (c - 1)}. Ranks need a sort
     * per row, so this mask is stored (one byte per element) rather than fused.
     */
    private SourceMask dellaMask(MergeInputs in, TensorView base, TensorView source, int s, double density,
                                 double epsilon, Arena arena) {
        long n = base.elementCount();
        if (density <= 0) {
            return new SourceMask.Random(in.seed(), s, 0);
        }
        long rows = base.shape().rank() < 2 ? 1 : base.shape().dim(0);
        int cols = Math.toIntExact(rows == 0 ? 0 : n / rows);
        MemorySegment keep = arena.allocate(Math.max(1, n));
        float low = (float) (density - epsilon);
        float span = (float) (2 * epsilon);
        long seed = in.seed();
        IntStream.range(0, (int) rows).parallel().forEach(row -> {
            long start = (long) row * cols;
            long[] keys = new long[cols];
            for (int c = 0; c < cols; c++) {
                float a = Math.abs(source.getFloat(start + c) - base.getFloat(start + c));
                keys[c] = ((long) Float.floatToRawIntBits(a) << 32) | c;
            }
            Arrays.sort(keys);
            for (int rank = 0; rank < cols; rank++) {
                int c = (int) keys[rank];
                float norm = cols == 1 ? 0f : (float) rank / (cols - 1);
                float probability = low + norm * span;
                boolean kept = MaskHash.uniform(seed, DELLA_STREAM + s, start + c) < probability;
                keep.set(ValueLayout.JAVA_BYTE, start + c, (byte) (kept ? 1 : 0));
            }
        });
        return new SourceMask.Stored(keep);
    }

    /**
     * Sets each masked source's scale to its L1 ratio. The pass also records random masks as bits, and the
     * merge then reads those (1 bit per element, n / 8 bytes per source) rather than hashing every element
     * again.
     */
    private static void rescale(TensorView base, List<TensorView> sources, SourceMask[] masks, float[] scales,
                                Arena arena) {
        List<Integer> masked = new ArrayList<>();
        for (int s = 0; s < masks.length; s++) {
            if (!(masks[s] instanceof SourceMask.None)) {
                masked.add(s);
            }
        }
        if (masked.isEmpty()) {
            return;
        }
        List<TensorView> views = masked.stream().map(sources::get).toList();
        SourceMask[] sub = masked.stream().map(s -> masks[s]).toArray(SourceMask[]::new);
        SourceMask.Packed[] record = new SourceMask.Packed[sub.length];
        for (int i = 0; i < sub.length; i++) {
            if (sub[i] instanceof SourceMask.Random && Tiles.packsMasks()) {
                record[i] = SourceMask.Packed.allocate(arena, base.elementCount());
            }
        }
        double[] l1 = Reductions.l1BeforeAfter(base, views, sub, record);
        for (int i = 0; i < masked.size(); i++) {
            if (record[i] != null) {
                masks[masked.get(i)] = record[i];
            }
            double before = l1[2 * i];
            double after = l1[2 * i + 1];
            scales[masked.get(i)] = (before < 1e-7 || after < 1e-7) ? 1f : (float) (before / after);
        }
    }

    static double number(Parameters p, String key, double fallback) {
        return p.has(key) ? p.number(key) : fallback;
    }

    static boolean flag(Parameters p, String key, boolean fallback) {
        return p.has(key) ? p.flag(key) : fallback;
    }

    @Override
    public String toString() {
        return name + "(" + sparsification + ", " + consensus + ")";
    }
}
