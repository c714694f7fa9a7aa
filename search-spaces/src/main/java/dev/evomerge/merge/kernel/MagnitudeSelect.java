package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Finds, for several task vectors at once, the set of the k largest |delta| as a {@link TopSet}, by
 * selection rather than sorting: a sample of evenly spread blocks brackets the k-th magnitude, one fused
 * pass over base and sources (read straight from memory; with three sources, one loop reads them all)
 * counts the elements above the bracket and collects the keys and 32-bit chunk offsets of those inside it
 * (1-3% of the tensor; bf16 deltas pile up on few values), and a radix selection over the collected
 * magnitudes' bit patterns finds the exact threshold; ties at the threshold are kept lowest index first.
 * Requests' samples and thresholds run in parallel. If the sample's bracket misses (rare), the pass is
 * repeated with a bracket that holds every element.
 *
 * {@snippet :
 * TopSet[] top = MagnitudeSelect.select(base, sources, new int[] {0, 1}, new long[] {k0, k1});
 * }
 */
public final class MagnitudeSelect {

    /** Tensors up to this size skip sampling and select among all elements. */
    static final int EXACT_BELOW = 1 << 16;

    /** Elements per contiguous block of the sample. */
    private static final int SAMPLE_BLOCK = 128;

    /** The sample's size limit: 2^15 magnitudes bracket the threshold within about +-1.1% of the ranks. */
    private static final int SAMPLE_MAX = 1 << 15;

    /** Elements per block of the candidate pass: a bf16 base block stays in L1 while each source streams. */
    private static final int BLOCK = 4096;

    /** Elements whose bracket tests pack into one word. */
    private static final int WORD = 64;

    private MagnitudeSelect() {
    }

    /**
     * Request {@code r} asks for the {@code k[r]} largest |source[sourceOf[r]] - base| elements.
     * Returns one {@link TopSet} per request.
     */
    public static TopSet[] select(TensorView base, List<TensorView> sources, int[] sourceOf, long[] k) {
        long n = base.elementCount();
        int requests = k.length;
        TopSet[] result = new TopSet[requests];
        float[] lo = new float[requests];
        float[] hi = new float[requests];
        boolean[] pending = new boolean[requests];
        boolean any = false;
        for (int r = 0; r < requests; r++) {
            if (k[r] <= 0) {
                result[r] = TopSet.NONE;
            } else if (k[r] >= n) {
                result[r] = TopSet.ALL;
            } else {
                pending[r] = true;
                any = true;
                lo[r] = 0f;
                hi[r] = Float.POSITIVE_INFINITY;
            }
        }
        if (!any) {
            return result;
        }
        // Each request's sample and threshold are serial work; run the requests side by side.
        if (n > EXACT_BELOW) {
            eachPending(pending, r -> bracketFromSample(base, sources.get(sourceOf[r]), k[r], r, lo, hi));
        }
        Candidates[] found = collect(base, sources, sourceOf, pending, lo, hi);
        eachPending(pending, r -> result[r] = found[r].threshold(k[r], lo[r], hi[r]));
        boolean[] retry = new boolean[requests];
        boolean anyRetry = false;
        for (int r = 0; r < requests; r++) {
            if (pending[r] && result[r] == null) {
                retry[r] = true;
                anyRetry = true;
                lo[r] = 0f;
                hi[r] = Float.POSITIVE_INFINITY;
            }
        }
        if (anyRetry) {
            Candidates[] all = collect(base, sources, sourceOf, retry, lo, hi);
            for (int r = 0; r < requests; r++) {
                if (retry[r]) {
                    result[r] = all[r].threshold(k[r], lo[r], hi[r]);
                }
            }
        }
        return result;
    }

    private static void eachPending(boolean[] pending, IntConsumer body) {
        IntStream.range(0, pending.length).parallel().filter(r -> pending[r]).forEach(body);
    }

    private static void bracketFromSample(TensorView base, TensorView source, long k, int r, float[] lo, float[] hi) {
        long n = base.elementCount();
        // A larger sample gives a narrower bracket, hence fewer candidates for the pass to extract; its cost
        // is a few percent of one read of the tensor and a linear-time radix selection.
        int size = (int) Math.max(1 << 12, Math.min(SAMPLE_MAX, n / 32));
        int[] sample = new int[size];
        // Contiguous blocks spread evenly over the tensor: a strided sample of single elements costs a cache
        // miss per element.
        int blocks = size / SAMPLE_BLOCK;
        float[] b = new float[SAMPLE_BLOCK];
        float[] x = new float[SAMPLE_BLOCK];
        for (int blk = 0; blk < blocks; blk++) {
            long start = blk * (n / blocks);
            if (SmallTensors.scalar(n)) {
                SmallTensors.widen(base.data(), base.dtype(), start, SAMPLE_BLOCK, b);
                SmallTensors.widen(source.data(), source.dtype(), start, SAMPLE_BLOCK, x);
            } else {
                Tiles.widen(base.data(), base.dtype(), start, SAMPLE_BLOCK, b);
                Tiles.widen(source.data(), source.dtype(), start, SAMPLE_BLOCK, x);
            }
            for (int j = 0; j < SAMPLE_BLOCK; j++) {
                sample[blk * SAMPLE_BLOCK + j] = key(Math.abs(x[j] - b[j]));
            }
        }
        double q = (double) k / n;
        double expected = q * size;   // rank from the top
        // 4 binomial standard deviations (more than the 3.5 an independent sample would need, as elements of
        // one block are correlated): a miss only costs a second, exact pass.
        double margin = 4 * Math.sqrt(size * q * (1 - q)) + 8;
        long hiRank = (long) Math.floor(expected - margin);
        long loRank = (long) Math.ceil(expected + margin);
        int[] ends = bracketEnds(sample, size, hiRank, loRank);
        hi[r] = hiRank < 0 ? Float.POSITIVE_INFINITY : Float.intBitsToFloat(ends[0]);
        lo[r] = loRank >= size ? 0f : Float.intBitsToFloat(ends[1]);
    }

    /**
     * Keys at least as wide apart as the sample's order statistics of ranks {@code hiRank} and {@code loRank}
     * (0-based from the top): the largest key in the bf16-precision bucket ({@code key >>> 16}) holding the
     * first and the smallest in the bucket holding the second. One histogram of the buckets and one pass
     * for the two extremes, where two exact selections took several passes each; bf16 deltas fill only the
     * top 16 bits, so on them the ends are the order statistics themselves, and elsewhere the bracket is at
     * most one bf16 step wider at each end.
     */
    static int[] bracketEnds(int[] sample, int size, long hiRank, long loRank) {
        int[] hist = new int[1 << 15];
        for (int i = 0; i < size; i++) {
            hist[sample[i] >>> 16]++;
        }
        int hiBucket = -1;
        int loBucket = -1;
        long above = 0;
        for (int bucket = hist.length - 1; bucket >= 0 && loBucket < 0; bucket--) {
            above += hist[bucket];
            if (hiBucket < 0 && above > hiRank) {
                hiBucket = bucket;
            }
            if (above > loRank) {
                loBucket = bucket;
            }
        }
        int hiKey = 0;
        int loKey = Integer.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            int key = sample[i];
            int bucket = key >>> 16;
            hiKey = bucket == hiBucket ? Math.max(hiKey, key) : hiKey;
            loKey = bucket == loBucket ? Math.min(loKey, key) : loKey;
        }
        return new int[] {hiKey, loKey};
    }

    /** The selection key of a magnitude: its bits (order-preserving for non-negative floats); NaN ranks last. */
    static int key(float magnitude) {
        return Float.isNaN(magnitude) ? 0 : Float.floatToRawIntBits(magnitude);
    }

    private static Candidates[] collect(TensorView base, List<TensorView> sources, int[] sourceOf,
                                        boolean[] active, float[] lo, float[] hi) {
        long n = base.elementCount();
        int requests = active.length;
        int chunks = Chunks.count(n, Chunks.FINE);
        Chunk[][] parts = new Chunk[chunks][];
        Chunks.forEach(n, Chunks.FINE,
                (c, from, to) -> parts[c] = scan(base, sources, sourceOf, active, lo, hi, from, to));
        Candidates[] out = new Candidates[requests];
        for (int r = 0; r < requests; r++) {
            if (active[r]) {
                Chunk[] perChunk = new Chunk[chunks];
                for (int c = 0; c < chunks; c++) {
                    perChunk[c] = parts[c][r];
                }
                out[r] = new Candidates(perChunk);
            }
        }
        return out;
    }

    private static Chunk[] scan(TensorView base, List<TensorView> sources, int[] sourceOf, boolean[] active,
                                float[] lo, float[] hi, long from, long to) {
        int requests = active.length;
        Chunk[] chunk = new Chunk[requests];
        for (int r = 0; r < requests; r++) {
            if (active[r]) {
                chunk[r] = new Chunk(from, to - from);
            }
        }
        boolean scalar = SmallTensors.scalar(base.elementCount()) || base.dtype() == DType.F16;
        int[] three = scalar ? null : threeSources(sources, sourceOf, active);
        if (three != null) {
            // With two requests the third lane of the loop reads the base again (an L1 hit) into a chunk that
            // is thrown away: its bracket [+inf, +inf] holds nothing, not even NaN.
            boolean phantom = three[2] < 0;
            Chunk[] cs = new Chunk[3];
            TensorView[] vs = new TensorView[3];
            float[] los = new float[3];
            float[] his = new float[3];
            for (int q = 0; q < 3; q++) {
                boolean none = phantom && q == 2;
                cs[q] = none ? new Chunk(from, 0) : chunk[three[q]];
                vs[q] = none ? base : sources.get(sourceOf[three[q]]);
                los[q] = none ? Float.POSITIVE_INFINITY : lo[three[q]];
                his[q] = none ? Float.POSITIVE_INFINITY : hi[three[q]];
            }
            for (long t0 = from; t0 < to; t0 += BLOCK) {
                int len = (int) Math.min(BLOCK, to - t0);
                scanThree(base, cs, vs, los, his, t0, len);
            }
            return chunk;
        }
        // Block by block, every request in turn: the base's block stays in L1 while each source streams once.
        for (long t0 = from; t0 < to; t0 += BLOCK) {
            int len = (int) Math.min(BLOCK, to - t0);
            for (int r = 0; r < requests; r++) {
                if (!active[r]) {
                    continue;
                }
                TensorView src = sources.get(sourceOf[r]);
                if (scalar || src.dtype() == DType.F16) {
                    chunk[r].scanScalar(base, src, t0, t0 + len, lo[r], hi[r]);
                } else {
                    chunk[r].scanVector(base, src, t0, len, lo[r], hi[r]);
                }
            }
        }
        return chunk;
    }

    /**
     * The active requests (TIES on two or three models) when they are two or three and read distinct non-f16
     * sources, else null; with two, the third entry is -1.
     */
    private static int[] threeSources(List<TensorView> sources, int[] sourceOf, boolean[] active) {
        int[] r = {-1, -1, -1};
        int found = 0;
        for (int q = 0; q < active.length; q++) {
            if (!active[q]) {
                continue;
            }
            if (found == 3 || sources.get(sourceOf[q]).dtype() == DType.F16) {
                return null;
            }
            r[found++] = q;
        }
        boolean distinct = found >= 2 && sourceOf[r[0]] != sourceOf[r[1]]
                && (found == 2 || sourceOf[r[0]] != sourceOf[r[2]] && sourceOf[r[1]] != sourceOf[r[2]]);
        return distinct ? r : null;
    }

    /**
     * {@link Chunk#scanVector} for three requests on three sources in one loop, so each vector of the base is
     * read and widened once rather than once per source.
     */
    private static void scanThree(TensorView base, Chunk[] chunk, TensorView[] source, float[] lo, float[] hi,
                                  long t0, int len) {
        Chunk c0 = chunk[0];
        Chunk c1 = chunk[1];
        Chunk c2 = chunk[2];
        TensorView v0 = source[0];
        TensorView v1 = source[1];
        TensorView v2 = source[2];
        MemorySegment b = base.data();
        MemorySegment x0 = v0.data();
        MemorySegment x1 = v1.data();
        MemorySegment x2 = v2.data();
        boolean bf16b = base.dtype() == DType.BF16;
        boolean bf16x0 = v0.dtype() == DType.BF16;
        boolean bf16x1 = v1.dtype() == DType.BF16;
        boolean bf16x2 = v2.dtype() == DType.BF16;
        float lo0 = lo[0];
        float lo1 = lo[1];
        float lo2 = lo[2];
        float hi0 = hi[0];
        float hi1 = hi[1];
        float hi2 = hi[2];
        float[] m0 = c0.word64;
        float[] m1 = c1.word64;
        float[] m2 = c2.word64;
        int words = len / WORD;
        MemorySegment bs = Tiles.slice(b, bf16b, t0, words * WORD);
        MemorySegment xs0 = Tiles.slice(x0, bf16x0, t0, words * WORD);
        MemorySegment xs1 = Tiles.slice(x1, bf16x1, t0, words * WORD);
        MemorySegment xs2 = Tiles.slice(x2, bf16x2, t0, words * WORD);
        long count0 = 0;
        long count1 = 0;
        long count2 = 0;
        for (int w = 0; w < words; w++) {
            long at = t0 + (long) w * WORD;
            int from = w * WORD;
            // Per source one word of "above hi" lanes and one of "at least lo" lanes; inside = at least lo
            // and not above: two compares per vector, and the count of the above word's bits.
            long above0 = 0;
            long above1 = 0;
            long above2 = 0;
            long atLeast0 = 0;
            long atLeast1 = 0;
            long atLeast2 = 0;
            for (int j = 0; j < WORD; j += Tiles.LANES) {
                FloatVector bv = Tiles.load(bs, bf16b, from + j);
                FloatVector a0 = Tiles.load(xs0, bf16x0, from + j).sub(bv).abs();
                FloatVector a1 = Tiles.load(xs1, bf16x1, from + j).sub(bv).abs();
                FloatVector a2 = Tiles.load(xs2, bf16x2, from + j).sub(bv).abs();
                a0.intoArray(m0, j);
                a1.intoArray(m1, j);
                a2.intoArray(m2, j);
                above0 |= a0.compare(VectorOperators.GT, hi0).toLong() << j;
                above1 |= a1.compare(VectorOperators.GT, hi1).toLong() << j;
                above2 |= a2.compare(VectorOperators.GT, hi2).toLong() << j;
                atLeast0 |= a0.compare(VectorOperators.GE, lo0).toLong() << j;
                atLeast1 |= a1.compare(VectorOperators.GE, lo1).toLong() << j;
                atLeast2 |= a2.compare(VectorOperators.GE, lo2).toLong() << j;
            }
            count0 += Long.bitCount(above0);
            count1 += Long.bitCount(above1);
            count2 += Long.bitCount(above2);
            c0.extract(at, atLeast0 & ~above0);
            c1.extract(at, atLeast1 & ~above1);
            c2.extract(at, atLeast2 & ~above2);
        }
        c0.above += count0;
        c1.above += count1;
        c2.above += count2;
        long tail = t0 + (long) words * WORD;
        c0.scanScalar(base, v0, tail, t0 + len, lo0, hi0);
        c1.scanScalar(base, v1, tail, t0 + len, lo1, hi1);
        c2.scanScalar(base, v2, tail, t0 + len, lo2, hi2);
    }

    /**
     * One chunk's count above the bracket and its in-bracket candidates in index order: the key of |d| and
     * the element's offset from the chunk's start (chunks are far below 2^31 elements).
     */
    static final class Chunk {
        final long start;
        long above;
        int[] keys;
        int[] offsets;
        int size;
        /** The current word's magnitudes, for the extraction, and a zero pad for lanes past the last hit. */
        final float[] word64 = new float[WORD + 1];

        /** Sized for a few percent of the chunk, the usual candidate share, so the arrays rarely grow. */
        Chunk(long start, long length) {
            this.start = start;
            int capacity = (int) Math.max(256, length / 24);
            keys = new int[capacity];
            offsets = new int[capacity];
        }

        /**
         * Elements {@code [t0, t0 + len)} with the Vector API, read straight from memory: 64 elements' bracket
         * tests pack into one word, and only words with a hit branch into the extraction.
         */
        void scanVector(TensorView base, TensorView source, long t0, int len, float lo, float hi) {
            MemorySegment b = base.data();
            MemorySegment x = source.data();
            boolean bf16b = base.dtype() == DType.BF16;
            boolean bf16x = source.dtype() == DType.BF16;
            int words = len / WORD;
            MemorySegment bs = Tiles.slice(b, bf16b, t0, words * WORD);
            MemorySegment xs = Tiles.slice(x, bf16x, t0, words * WORD);
            long count = 0;
            for (int w = 0; w < words; w++) {
                long at = t0 + (long) w * WORD;
                int from = w * WORD;
                long word = 0;
                // Constant trip count: unrolled, and no call while a vector is live (it would be boxed).
                for (int j = 0; j < WORD; j += Tiles.LANES) {
                    FloatVector a = Tiles.load(xs, bf16x, from + j).sub(Tiles.load(bs, bf16b, from + j)).abs();
                    a.intoArray(word64, j);
                    count += a.compare(VectorOperators.GT, hi).trueCount();
                    word |= a.compare(VectorOperators.GE, lo).and(a.compare(VectorOperators.LE, hi)).toLong() << j;
                }
                extract(at, word);
            }
            above += count;
            long tail = t0 + (long) words * WORD;
            scanScalar(base, source, tail, t0 + len, lo, hi);
        }

        /** The scalar form of {@link #scanVector} over elements {@code [from, to)}: tails, small and f16 tensors. */
        void scanScalar(TensorView base, TensorView source, long from, long to, float lo, float hi) {
            MemorySegment b = base.data();
            MemorySegment x = source.data();
            DType bt = base.dtype();
            DType xt = source.dtype();
            for (long i = from; i < to; i++) {
                float a = Math.abs(Floats.read(x, xt, i) - Floats.read(b, bt, i));
                if (a > hi) {
                    above++;
                } else if (a >= lo && a <= hi) {
                    add(Float.floatToRawIntBits(a), i);
                }
            }
        }

        /**
         * Appends the word's set lanes, for every word (no branch on it being empty): four extractions run
         * unconditionally and the position advances by the real count, so a word's hits cost no mispredicted
         * branch unless it holds more than four. Lanes past the last hit read the zero pad at
         * {@code word64[WORD]} and write past {@code size}, where the next word overwrites them.
         */
        void extract(long at, long word) {
            if (keys.length - size < WORD) {
                keys = Arrays.copyOf(keys, keys.length * 2);
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            float[] m = word64;
            int[] ks = keys;
            int[] os = offsets;
            int p = size;
            int base = (int) (at - start);
            int hits = Long.bitCount(word);
            for (int k = 0; k < 4; k++) {
                int l = Long.numberOfTrailingZeros(word);
                ks[p + k] = Float.floatToRawIntBits(m[l]);
                os[p + k] = base + l;
                word &= word - 1;
            }
            if (hits <= 4) {
                size = p + hits;
                return;
            }
            p += 4;
            while (word != 0) {
                int l = Long.numberOfTrailingZeros(word);
                ks[p] = Float.floatToRawIntBits(m[l]);
                os[p] = base + l;
                p++;
                word &= word - 1;
            }
            size = p;
        }

        private void add(int key, long index) {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                offsets = Arrays.copyOf(offsets, size * 2);
            }
            keys[size] = key;
            offsets[size] = (int) (index - start);
            size++;
        }
    }

    /** All chunks' candidates for one request. */
    record Candidates(Chunk[] chunks) {

        /**
         * The top-k set, or null when the k-th largest lies outside the bracket {@code [lo, hi]}. bf16 deltas
         * pile up on few values, and the sample's bracket usually ends on such piles, one of them holding the
         * threshold: one counting pass over the candidates' keys then names it without a selection, and the
         * per-chunk counts of that pass place its cutoff.
         */
        TopSet threshold(long k, float lo, float hi) {
            long above = 0;
            long total = 0;
            for (Chunk c : chunks) {
                above += c.above;
                total += c.size;
            }
            long rank = k - above;   // rank of the threshold among the candidates, from the top
            if (rank < 1 || rank > total) {
                return null;
            }
            int min = key(lo);
            int max = hi == Float.POSITIVE_INFINITY ? Float.floatToRawIntBits(hi) : key(hi);
            long[] atMax = new long[chunks.length];
            long[] atMin = new long[chunks.length];
            long maxes = 0;
            long mins = 0;
            for (int c = 0; c < chunks.length; c++) {
                long counts = countEqual(chunks[c].keys, chunks[c].size, max, min);
                atMax[c] = counts >>> 32;
                atMin[c] = counts & 0xffffffffL;
                maxes += atMax[c];
                mins += atMin[c];
            }
            if (rank <= maxes) {
                return tie(max, rank, atMax);
            }
            if (min != max && rank > total - mins) {
                return tie(min, rank - (total - mins), atMin);
            }
            int[] all = new int[Math.toIntExact(total)];
            int p = 0;
            for (Chunk c : chunks) {
                System.arraycopy(c.keys, 0, all, p, c.size);
                p += c.size;
            }
            int t = RadixSelect.kthLargest(all, all.length, rank, min, max);
            long greater = 0;
            long[] equal = new long[chunks.length];
            for (int c = 0; c < chunks.length; c++) {
                int[] keys = chunks[c].keys;
                // Without a branch: ties are common in bf16 deltas.
                for (int i = 0; i < chunks[c].size; i++) {
                    greater += keys[i] > t ? 1 : 0;
                    equal[c] += keys[i] == t ? 1 : 0;
                }
            }
            return tie(t, rank - greater, equal);
        }

        /** The set with threshold key {@code t} that keeps its first {@code rank} ties, given each chunk's count. */
        private TopSet tie(int t, long rank, long[] perChunk) {
            for (int c = 0; c < chunks.length; c++) {
                if (rank > perChunk[c]) {
                    rank -= perChunk[c];
                    continue;
                }
                int[] keys = chunks[c].keys;
                for (int i = 0; i < chunks[c].size; i++) {
                    if (keys[i] == t && --rank == 0) {
                        return new TopSet(Float.intBitsToFloat(t), chunks[c].start + chunks[c].offsets[i] + 1);
                    }
                }
                break;
            }
            throw new IllegalStateException("selection lost its threshold " + Float.intBitsToFloat(t));
        }

        /** How many of {@code keys[0..size)} equal {@code a} (high 32 bits) and {@code b} (low 32 bits). */
        private static long countEqual(int[] keys, int size, int a, int b) {
            int bound = Tiles.I.loopBound(size);
            long countA = 0;
            long countB = 0;
            int i = 0;
            for (; i < bound; i += Tiles.I.length()) {
                IntVector v = IntVector.fromArray(Tiles.I, keys, i);
                countA += v.compare(VectorOperators.EQ, a).trueCount();
                countB += v.compare(VectorOperators.EQ, b).trueCount();
            }
            for (; i < size; i++) {
                countA += keys[i] == a ? 1 : 0;
                countB += keys[i] == b ? 1 : 0;
            }
            return countA << 32 | countB;
        }
    }
}
