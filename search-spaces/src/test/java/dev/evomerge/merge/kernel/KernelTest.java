package dev.evomerge.merge.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.Shape;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.Consensus;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class KernelTest {

    /** Spans two parallel chunks and ends in a vector tail. */
    private static final int MULTI_CHUNK = Chunks.SIZE + 12_345;

    private static TensorView tensor(DType type, float[] values) {
        MemorySegment seg = Arena.ofAuto().allocate((long) values.length * type.byteSize());
        for (int i = 0; i < values.length; i++) {
            Floats.write(seg, type, i, values[i]);
        }
        return new TensorView("t", type, Shape.of(values.length), seg);
    }

    private static float[] gaussian(long seed, int n, double sd) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * sd);
        }
        return v;
    }

    @Test
    void widenAndNarrowMatchTheScalarConversionsOnOddLengths() {
        for (DType type : DType.values()) {
            float[] v = gaussian(1, 1003, 3);
            v[5] = Float.NaN;
            v[6] = Float.intBitsToFloat(0x3f808000);   // exactly halfway between two bf16: rounds to even
            v[7] = Float.intBitsToFloat(0x3f818000);   // halfway, rounds up to even
            v[8] = -0f;
            v[9] = Float.POSITIVE_INFINITY;
            TensorView t = tensor(DType.F32, v);
            float[] tile = new float[Tiles.TILE];
            Tiles.widen(t.data(), DType.F32, 0, v.length, tile);
            MemorySegment out = Arena.ofAuto().allocate((long) v.length * type.byteSize());
            Tiles.narrow(tile, v.length, out, type, 0);
            for (int i = 0; i < v.length; i++) {
                MemorySegment ref = Arena.ofAuto().allocate(4);
                Floats.write(ref, type, 0, v[i]);
                assertEquals(Float.floatToRawIntBits(Floats.read(ref, type, 0)),
                        Float.floatToRawIntBits(Floats.read(out, type, i)), type + " element " + i);
            }
            float[] back = new float[Tiles.TILE];
            Tiles.widen(out, type, 0, v.length, back);
            for (int i = 0; i < v.length; i++) {
                assertEquals(Float.floatToRawIntBits(Floats.read(out, type, i)), Float.floatToRawIntBits(back[i]));
            }
        }
    }

    @Test
    void vectorMaskHashEqualsTheScalarOne() {
        int n = 5000;
        float[] d = new float[n];
        Arrays.fill(d, 1f);
        float[] dst = new float[Tiles.TILE];
        SourceMask.Random mask = SourceMask.Random.of(99, 2, 0.4);
        long start = (1L << 32) - 2048;   // crosses the 2^32 index boundary between tiles
        for (long t0 = start; t0 < start + n; t0 += Tiles.TILE) {
            int len = (int) Math.min(Tiles.TILE, start + n - t0);
            Tiles.applyMask(mask, t0, len, d, dst, 1f, 1f);
            for (int j = 0; j < len; j++) {
                assertEquals(mask.keeps(t0 + j, 1f) ? 1f : 0f, dst[j], "index " + (t0 + j));
            }
        }
    }

    @Test
    void magnitudeSelectionEqualsSortingWithTiesLowestIndexFirst() {
        // Both above EXACT_BELOW (the sampled bracket path): scalar loops, then vector loops.
        selectionEqualsSorting(120_000);
        selectionEqualsSorting((int) SmallTensors.SCALAR_BELOW + 4321);
    }

    @Test
    void magnitudeSelectionEqualsSortingAtEveryRankAcrossPilesOfTies() {
        // Deltas on a few exact values, each held by several percent of the elements: ranks spread over the
        // tensor put thresholds on the piles at either end of the sampled bracket (found by counting) and
        // between them (found by selection).
        int n = 150_000;
        SplittableRandom r = new SplittableRandom(5);
        float[] base = new float[n];
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            base[i] = (float) Math.rint(r.nextGaussian() * 64) / 64;
            x[i] = base[i] + (float) Math.rint(r.nextGaussian() * 4) / 8;
        }
        long[] ks = new long[40];
        for (int q = 0; q < ks.length; q++) {
            ks[q] = 1 + (long) q * (n - 2) / (ks.length - 1) + q % 3;
        }
        selectionEqualsSorting(tensor(DType.F32, base), tensor(DType.F32, x), ks);
    }

    @Test
    void tieCutoffsFallOnTheExactElementInsideHugePiles() {
        // Three magnitudes only, each held by a fifth or more of the elements: every threshold is a pile, and
        // the cutoff names the one tied element where the set ends (the next one is tied as often as not).
        int n = MULTI_CHUNK;
        TensorView base = tensor(DType.BF16, gaussian(60, n, 0.02));
        SplittableRandom r = new SplittableRandom(61);
        List<TensorView> sources = new ArrayList<>();
        List<float[]> mags = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = base.getFloat(i) + (r.nextInt(5) - 2) / 256f;
            }
            TensorView src = tensor(s == 1 ? DType.F32 : DType.BF16, v);
            sources.add(src);
            float[] mag = new float[n];
            for (int i = 0; i < n; i++) {
                mag[i] = Math.abs(src.getFloat(i) - base.getFloat(i));
            }
            mags.add(mag);
        }
        long[] ks = {n / 7, n / 3 + 1, n / 2 + 2, 2L * n / 3 + 3, n - 5};
        // One source at a time (one loop per source), then the three in one loop.
        TopSet[] single = MagnitudeSelect.select(base, sources, new int[] {0, 0, 0, 0, 0}, ks);
        for (int q = 0; q < ks.length; q++) {
            assertTopK(single[q], mags.get(0), ks[q]);
        }
        for (int q = 0; q < ks.length; q++) {
            long[] k3 = {ks[q], ks[(q + 1) % ks.length], ks[(q + 2) % ks.length]};
            TopSet[] three = MagnitudeSelect.select(base, sources, new int[] {0, 1, 2}, k3);
            for (int s = 0; s < 3; s++) {
                assertTopK(three[s], mags.get(s), k3[s]);
            }
        }
    }

    private static void selectionEqualsSorting(int n) {
        float[] base = gaussian(3, n, 1);
        float[] x = base.clone();
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < n; i++) {
            x[i] += (float) Math.rint(r.nextGaussian() * 20) / 8;   // coarse deltas: many ties
        }
        selectionEqualsSorting(tensor(DType.BF16, base), tensor(DType.BF16, x), new long[] {1, 1000, n / 3, n - 1});
    }

    private static void selectionEqualsSorting(TensorView b, TensorView s, long[] ks) {
        int n = (int) b.elementCount();
        TopSet[] top = MagnitudeSelect.select(b, List.of(s), new int[ks.length], ks);
        float[] mag = new float[n];
        for (int i = 0; i < n; i++) {
            mag[i] = Math.abs(s.getFloat(i) - b.getFloat(i));
        }
        Integer[] order = IntStream.range(0, n).boxed().sorted(Comparator.<Integer>comparingDouble(i -> -mag[i])
                .thenComparingInt(i -> i)).toArray(Integer[]::new);
        for (int q = 0; q < ks.length; q++) {
            boolean[] want = new boolean[n];
            for (int i = 0; i < ks[q]; i++) {
                want[order[i]] = true;
            }
            for (int i = 0; i < n; i++) {
                assertEquals(want[i], top[q].contains(mag[i], i), "k=" + ks[q] + " element " + i);
            }
        }
    }

    @Test
    void sampleBracketHoldsTheOrderStatisticsAndEqualsThemOnBf16Keys() {
        SplittableRandom r = new SplittableRandom(6);
        int size = 5000;
        int[] f32 = new int[size];
        int[] bf16 = new int[size];
        for (int i = 0; i < size; i++) {
            f32[i] = Float.floatToRawIntBits((float) Math.abs(r.nextGaussian()));
            bf16[i] = f32[i] & 0xffff0000;
        }
        for (long[] ranks : new long[][] {{0, 40}, {1200, 1400}, {2500, 2500}, {4900, 4999}}) {
            for (int[] keys : new int[][] {f32, bf16}) {
                int[] sorted = keys.clone();
                java.util.Arrays.sort(sorted);
                int hiExact = sorted[size - 1 - (int) ranks[0]];
                int loExact = sorted[size - 1 - (int) ranks[1]];
                int[] ends = MagnitudeSelect.bracketEnds(keys, size, ranks[0], ranks[1]);
                assertTrue(ends[0] >= hiExact && ends[1] <= loExact && ends[0] - hiExact <= 0xffff
                        && loExact - ends[1] <= 0xffff, "ranks " + ranks[0] + ", " + ranks[1]);
                if (keys == bf16) {
                    assertEquals(hiExact, ends[0]);
                    assertEquals(loExact, ends[1]);
                }
            }
        }
    }

    @Test
    void selectionFallsBackWhenTheSampleMissesTheThreshold() {
        // Only 3 non-zero deltas, all at indices the sample's blocks (128 elements every 3125) skip: the
        // k=3 bracket from the sample (all zeros) cannot hold the threshold, so the exact retry must find it.
        int n = 100_000;
        float[] x = new float[n];
        x[1001] = 5;
        x[303] = -7;
        x[99_999] = 6;
        TopSet[] top = MagnitudeSelect.select(tensor(DType.F32, new float[n]), List.of(tensor(DType.F32, x)),
                new int[] {0}, new long[] {3});
        assertEquals(5f, top[0].value());
        assertTrue(top[0].contains(7, 303) && top[0].contains(6, 99_999) && !top[0].contains(0, 2));
    }

    @Test
    void multiChunkMergesEqualTheScalarReferenceBitForBit() {
        int n = MULTI_CHUNK;
        TensorView base = tensor(DType.BF16, gaussian(10, n, 0.02));
        List<TensorView> sources = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            float[] v = gaussian(20 + s, n, 0.002);
            for (int i = 0; i < n; i++) {
                v[i] += base.getFloat(i);
            }
            sources.add(tensor(s == 2 ? DType.F16 : DType.BF16, v));
        }
        float[] w = {0.5f, 0.3f, -0.2f};
        long[] ks = {n / 2, n / 3, n / 4, n / 50, n / 40, n / 30};
        TopSet[] top = MagnitudeSelect.select(base, sources, new int[] {0, 1, 2, 0, 1, 2}, ks);
        SourceMask[] crumbs = new SourceMask[3];   // breadcrumbs: drop the largest outliers as well
        for (int s = 0; s < 3; s++) {
            crumbs[s] = new SourceMask.RankBand(top[s], top[s + 3]);
        }
        SourceMask[] band = new SourceMask[3];
        SourceMask[] random = new SourceMask[3];
        SourceMask[] none = new SourceMask[3];
        for (int s = 0; s < 3; s++) {
            band[s] = new SourceMask.RankBand(top[s], TopSet.NONE);
            random[s] = SourceMask.Random.of(123, s, 0.6);
            none[s] = SourceMask.None.INSTANCE;
        }
        float[] scales = {1.25f, 1f, 0.75f};
        check(FusedMerge.taskArithmetic(base, sources, w, random, scales, new FusedMerge.Mixing(Consensus.SUM, false, 1f, 1f)), DType.BF16);
        check(FusedMerge.taskArithmetic(base, sources, w, none, new float[] {1, 1, 1}, new FusedMerge.Mixing(Consensus.NONE, true, 0.6f, 1.5f)), DType.F16);
        check(FusedMerge.taskArithmetic(base, sources, w, none, new float[] {1, 1, 1}, new FusedMerge.Mixing(Consensus.NONE, false, 1f, 1f)), DType.F32);
        check(FusedMerge.taskArithmetic(base, sources, w, band, new float[] {1, 1, 1}, new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f)), DType.BF16);
        check(FusedMerge.taskArithmetic(base, sources, w, crumbs, new float[] {1, 1, 1}, new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f)), DType.BF16);
        check(FusedMerge.taskArithmetic(base, sources, w, random, scales, new FusedMerge.Mixing(Consensus.COUNT, true, 1f, 0.5f)), DType.BF16);
        check(FusedMerge.taskArithmetic(null, sources, w, none, new float[] {1, 1, 1}, new FusedMerge.Mixing(Consensus.NONE, false, 1f, 1f)), DType.BF16);
    }

    @Test
    void threeSourceFusedLoopsGiveTheReferenceBitsAndExactTopSets() {
        // No f16 source: selection scans the three sources in one loop and the merges take ThreeSources.
        int n = MULTI_CHUNK;
        TensorView base = tensor(DType.BF16, gaussian(50, n, 0.02));
        List<TensorView> sources = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(51);
        for (int s = 0; s < 3; s++) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                // Coarse deltas: many ties at the threshold, as with real bf16 fine-tunes.
                v[i] = base.getFloat(i) + (float) Math.rint(r.nextGaussian() * 12) / 4096;
            }
            sources.add(tensor(s == 1 ? DType.F32 : DType.BF16, v));
        }
        long[] ks = {n / 2, n / 3 + 7, n / 5};
        TopSet[] top = MagnitudeSelect.select(base, sources, new int[] {0, 1, 2}, ks);
        SourceMask[] band = new SourceMask[3];
        SourceMask[] none = new SourceMask[3];
        for (int s = 0; s < 3; s++) {
            float[] mag = new float[n];
            for (int i = 0; i < n; i++) {
                mag[i] = Math.abs(sources.get(s).getFloat(i) - base.getFloat(i));
            }
            assertTopK(top[s], mag, ks[s]);
            band[s] = new SourceMask.RankBand(top[s], TopSet.NONE);
            none[s] = SourceMask.None.INSTANCE;
        }
        float[] w = {0.5f, 0.3f, -0.2f};
        float[] ones = {1, 1, 1};
        float[] scales = {1.25f, 1f, 0.75f};
        check(FusedMerge.taskArithmetic(base, sources, w, band, ones, new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f)), DType.BF16);
        check(FusedMerge.taskArithmetic(base, sources, w, band, scales, new FusedMerge.Mixing(Consensus.SUM, false, 1f, 0.5f)), DType.F32);
        check(FusedMerge.taskArithmetic(base, sources, w, none, ones, new FusedMerge.Mixing(Consensus.NONE, false, 1f, 1f)), DType.BF16);
        check(FusedMerge.taskArithmetic(base, sources, w, none, scales, new FusedMerge.Mixing(Consensus.NONE, true, 0.6f, 1.5f)), DType.F32);
        // TIES on two models: the same loops with a third lane that keeps nothing.
        List<TensorView> two = List.of(sources.get(2), sources.get(1));
        long[] k2 = {n / 3, n / 2 + 3};
        TopSet[] top2 = MagnitudeSelect.select(base, two, new int[] {0, 1}, k2);
        SourceMask[] band2 = new SourceMask[2];
        for (int s = 0; s < 2; s++) {
            float[] mag = new float[n];
            for (int i = 0; i < n; i++) {
                mag[i] = Math.abs(two.get(s).getFloat(i) - base.getFloat(i));
            }
            assertTopK(top2[s], mag, k2[s]);
            band2[s] = new SourceMask.RankBand(top2[s], TopSet.NONE);
        }
        float[] w2 = {0.5f, -0.7f};
        FusedMerge ties2 = FusedMerge.taskArithmetic(base, two, w2, band2, new float[] {1, 1}, new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f));
        assertTrue(ThreeSources.of(ties2, DType.BF16) != null, "TIES on two models takes the fused loop");
        check(ties2, DType.BF16);
        check(withInfinities(ties2), DType.BF16);
        check(FusedMerge.taskArithmetic(base, two, w2, band2, new float[] {1.5f, 0.5f}, new FusedMerge.Mixing(Consensus.SUM, false, 1f, 0.5f)),
                DType.F32);
    }

    @Test
    void weightedSumsOfTwoToFourSourcesGiveTheReferenceBits() {
        int n = MULTI_CHUNK;
        List<TensorView> all = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            all.add(tensor(s == 2 ? DType.F32 : DType.BF16, gaussian(100 + s, n, 0.02)));
        }
        float[] w = {0.4f, -0.3f, 0.2f, 0.7f};
        float[] scales = {1f, 1.5f, 1f, 0.5f};
        for (int m = 2; m <= 4; m++) {
            List<TensorView> sources = all.subList(0, m);
            SourceMask[] none = new SourceMask[m];
            Arrays.fill(none, SourceMask.None.INSTANCE);
            float[] wm = Arrays.copyOf(w, m);
            float[] sm = Arrays.copyOf(scales, m);
            assertTrue(WeightedSums.of(FusedMerge.taskArithmetic(null, sources, wm, none, sm, new FusedMerge.Mixing(Consensus.NONE, false, 1f, 1f)))
                    != null, "the fused loop applies to " + m + " sources");
            check(FusedMerge.taskArithmetic(null, sources, wm, none, sm, new FusedMerge.Mixing(Consensus.NONE, false, 1f, 1f)), DType.BF16);
            check(FusedMerge.taskArithmetic(null, sources, wm, none, sm, new FusedMerge.Mixing(Consensus.NONE, true, 0.7f, 1f)), DType.F32);
            check(FusedMerge.taskArithmetic(null, sources, wm, none, sm, new FusedMerge.Mixing(Consensus.NONE, true, 0.7f, 1.5f)), DType.BF16);
        }
        // Task arithmetic on two models.
        SourceMask[] none = {SourceMask.None.INSTANCE, SourceMask.None.INSTANCE};
        List<TensorView> two = List.of(all.get(1), all.get(2));
        float[] w2 = {0.6f, -0.25f};
        float[] s2 = {1.25f, 1f};
        FusedMerge ta = FusedMerge.taskArithmetic(all.get(0), two, w2, none, s2, new FusedMerge.Mixing(Consensus.NONE, false, 1f, 1f));
        assertTrue(WeightedSums.of(ta) != null, "the fused loop applies to a base and two sources");
        check(ta, DType.BF16);
        check(FusedMerge.taskArithmetic(all.get(0), two, w2, none, s2, new FusedMerge.Mixing(Consensus.NONE, true, 0.35f, 0.5f)), DType.F32);
    }

    @Test
    void countConsensusVotesNaNDownAsTheReferenceDoes() {
        // Math.signum(NaN) is NaN: the scalar vote becomes NaN, and NaN >= 0 is false.
        int n = MULTI_CHUNK;
        float[] zeros = new float[n];
        float[] half = new float[n];
        float[] nan = new float[n];
        Arrays.fill(half, 0.5f);
        for (int i = 0; i < n; i++) {
            nan[i] = i % 3 == 0 ? Float.NaN : -0.25f;
        }
        SourceMask[] none = {SourceMask.None.INSTANCE, SourceMask.None.INSTANCE};
        FusedMerge count = FusedMerge.taskArithmetic(tensor(DType.BF16, zeros), List.of(tensor(DType.BF16, half), tensor(DType.F32, nan)), new float[] {1f, 1f}, none, new float[] {1f, 1f}, new FusedMerge.Mixing(Consensus.COUNT, true, 1f, 1f));
        check(count, DType.BF16);
    }

    /**
     * The merge with +inf in its base every 97 elements: where the reference's sign election sees +inf, a
     * third lane that let its own (base - base) = NaN through would flip the election and change the result.
     */
    private static FusedMerge withInfinities(FusedMerge f) {
        int n = (int) f.elementCount();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i % 97 == 5 ? Float.POSITIVE_INFINITY : f.base().getFloat(i);
        }
        return FusedMerge.taskArithmetic(tensor(f.base().dtype(), v), f.sources(), f.weights(), f.masks(), f.scales(), new FusedMerge.Mixing(f.consensus(), f.normalize(), f.divisor(), f.lambda()));
    }

    /** The set holds exactly k elements, none smaller than one left out, and ties go lowest index first. */
    private static void assertTopK(TopSet top, float[] mag, long k) {
        long in = 0;
        float minIn = Float.POSITIVE_INFINITY;
        float maxOut = -1f;
        long lastTieIn = -1;
        long firstTieOut = Long.MAX_VALUE;
        for (int i = 0; i < mag.length; i++) {
            boolean contained = top.contains(mag[i], i);
            if (contained) {
                in++;
                minIn = Math.min(minIn, mag[i]);
            } else {
                maxOut = Math.max(maxOut, mag[i]);
            }
            if (mag[i] == top.value()) {
                if (contained) {
                    lastTieIn = i;
                } else {
                    firstTieOut = Math.min(firstTieOut, i);
                }
            }
        }
        assertEquals(k, in, "elements in the top set");
        assertTrue(minIn >= maxOut, "smallest kept " + minIn + " below largest dropped " + maxOut);
        assertTrue(lastTieIn < firstTieOut, "ties at the threshold kept lowest index first");
    }

    private static void check(FusedMerge f, DType outType) {
        long n = f.elementCount();
        MemorySegment out = Arena.ofAuto().allocate(n * outType.byteSize());
        f.run(out, outType);
        MemorySegment ref = Arena.ofAuto().allocate(n * outType.byteSize());
        for (long i = 0; i < n; i++) {
            Floats.write(ref, outType, i, reference(f, i));
        }
        long mismatch = out.mismatch(ref);
        assertEquals(-1, mismatch, () -> f.consensus() + " " + outType + " first differs at byte " + mismatch);
    }

    /** The per-element formula of {@link FusedMerge}'s javadoc, in plain scalar Java over {@link Floats}. */
    private static float reference(FusedMerge f, long i) {
        int m = f.sources().size();
        float b = f.base() == null ? 0f : f.base().getFloat(i);
        float[] wd = new float[m];
        for (int s = 0; s < m; s++) {
            float d = f.base() == null ? f.sources().get(s).getFloat(i) : f.sources().get(s).getFloat(i) - b;
            wd[s] = f.masks()[s].keeps(i, Math.abs(d)) ? (d * f.scales()[s]) * f.weights()[s] : 0f;
        }
        float mixed = 0f;
        if (f.consensus() == Consensus.NONE) {
            for (float v : wd) {
                mixed = mixed + v;
            }
            if (f.normalize()) {
                mixed = mixed / f.divisor();
            }
        } else {
            float elect = 0f;
            for (float v : wd) {
                elect = elect + (f.consensus() == Consensus.SUM ? v : Math.signum(v));
            }
            boolean up = elect >= 0;
            float div = 0f;
            for (int s = 0; s < m; s++) {
                boolean agree = up ? wd[s] > 0 : wd[s] < 0;
                mixed = mixed + (agree ? wd[s] : 0f);
                div = div + (agree ? f.weights()[s] : 0f);
            }
            if (f.normalize()) {
                mixed = mixed / (div == 0f ? 1f : div);
            }
        }
        if (f.lambda() != 1f) {
            mixed = mixed * f.lambda();
        }
        return f.base() == null ? mixed : b + mixed;
    }

    @Test
    void smallTensorScalarLoopsGiveTheVectorLoopsBits() {
        int n = 3001;   // below SmallTensors.SCALAR_BELOW: run() takes the scalar loop
        TensorView base = tensor(DType.BF16, gaussian(40, n, 0.02));
        List<TensorView> sources = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            float[] v = gaussian(50 + s, n, 0.002);
            for (int i = 0; i < n; i++) {
                v[i] += base.getFloat(i);
            }
            sources.add(tensor(s == 1 ? DType.F32 : DType.BF16, v));
        }
        float[] w = {0.5f, 0.3f, -0.2f};
        TopSet[] top = MagnitudeSelect.select(base, sources, new int[] {0, 1, 2}, new long[] {n / 2, n / 3, 7});
        SourceMask[] band = new SourceMask[3];
        SourceMask[] random = new SourceMask[3];
        SourceMask[] none = new SourceMask[3];
        for (int s = 0; s < 3; s++) {
            band[s] = new SourceMask.RankBand(top[s], TopSet.NONE);
            random[s] = SourceMask.Random.of(7, s, 0.3);
            none[s] = SourceMask.None.INSTANCE;
        }
        float[] ones = {1, 1, 1};
        List<FusedMerge> merges = List.of(
                FusedMerge.taskArithmetic(base, sources, w, band, ones, new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f)),
                FusedMerge.taskArithmetic(base, sources, w, random, new float[] {2f, 1.5f, 3f}, new FusedMerge.Mixing(Consensus.COUNT, false, 1f, 0.7f)),
                FusedMerge.taskArithmetic(base, sources, w, none, ones, new FusedMerge.Mixing(Consensus.NONE, true, 0.6f, 1.5f)),
                FusedMerge.taskArithmetic(null, sources, w, none, ones, new FusedMerge.Mixing(Consensus.NONE, false, 1f, 1f)));
        for (FusedMerge f : merges) {
            check(f, DType.BF16);
            MemorySegment scalar = Arena.ofAuto().allocate(2L * n);
            MemorySegment vector = Arena.ofAuto().allocate(2L * n);
            f.scalarRange(0, n, scalar, DType.BF16);
            f.vectorRange(0, n, vector, DType.BF16);
            assertEquals(-1, scalar.mismatch(vector), f.consensus() + " scalar and vector loops differ");
        }
        float[] a = gaussian(60, 1021, 1);
        float[] b = gaussian(61, 1021, 1);
        for (int len : new int[] {1021, 1016, 5}) {
            assertEquals(Reductions.dot(a, b, len), Reductions.dotScalar(a, b, len), "dot " + len);
            assertEquals(Reductions.absSum(a, len), Reductions.absSumScalar(a, len), "absSum " + len);
        }
    }

    @Test
    void fusedL1SumsEqualTheStepByStepOnes() {
        int n = MULTI_CHUNK;
        TensorView base = tensor(DType.BF16, gaussian(70, n, 0.02));
        float[] v = gaussian(71, n, 0.002);
        for (int i = 0; i < n; i++) {
            v[i] += base.getFloat(i);
        }
        TensorView src = tensor(DType.BF16, v);
        TopSet top = MagnitudeSelect.select(base, List.of(src), new int[] {0}, new long[] {n / 3})[0];
        for (SourceMask mask : List.of(SourceMask.Random.of(5, 1, 0.4), SourceMask.None.INSTANCE,
                new SourceMask.RankBand(top, TopSet.NONE))) {
            double[] fused = Reductions.l1BeforeAfter(base, List.of(src), new SourceMask[] {mask});
            double[] steps = new double[2];
            for (int c = 0; c < Chunks.count(n); c++) {
                double[] part = new double[2];
                float[] b = new float[Tiles.TILE];
                float[] x = new float[Tiles.TILE];
                float[] kept = new float[Tiles.TILE];
                for (long t0 = (long) c * Chunks.SIZE; t0 < Math.min(n, (long) (c + 1) * Chunks.SIZE); t0 += Tiles.TILE) {
                    int len = (int) Math.min(Tiles.TILE, n - t0);
                    Tiles.widen(base.data(), DType.BF16, t0, len, b);
                    Tiles.delta(src.data(), DType.BF16, t0, len, b, x);
                    Tiles.applyMask(mask, t0, len, x, kept, 1f, 1f);
                    part[0] += Reductions.absSum(x, len);
                    part[1] += Reductions.absSum(kept, len);
                }
                steps[0] += part[0];
                steps[1] += part[1];
            }
            assertArrayEquals(steps, fused, mask.toString());
        }
    }

    @Test
    void theL1PassRecordsRandomMasksBitForBitAndTheMergesReadThemBack() {
        // Three bf16/f32 sources take ThreeSources' packed loop; an f16 source records through the scalar path.
        int n = MULTI_CHUNK;
        TensorView base = tensor(DType.BF16, gaussian(80, n, 0.02));
        List<TensorView> sources = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            float[] v = gaussian(81 + s, n, 0.002);
            for (int i = 0; i < n; i++) {
                v[i] += base.getFloat(i);
            }
            sources.add(tensor(s == 1 ? DType.F32 : s == 3 ? DType.F16 : DType.BF16, v));
        }
        SourceMask[] random = new SourceMask[4];
        SourceMask.Packed[] record = new SourceMask.Packed[4];
        for (int s = 0; s < 4; s++) {
            random[s] = SourceMask.Random.of(17, s, 0.3 + 0.1 * s);
            record[s] = SourceMask.Packed.allocate(Arena.ofAuto(), n);
        }
        double[] plain = Reductions.l1BeforeAfter(base, sources, random);
        double[] recorded = Reductions.l1BeforeAfter(base, sources, random, record);
        assertArrayEquals(plain, recorded, "recording changes no sum");
        for (int s = 0; s < 4; s++) {
            for (int i = 0; i < n; i++) {
                if (random[s].keeps(i, 0f) != record[s].keeps(i, 0f)) {
                    throw new AssertionError("source " + s + " element " + i + ": recorded bit differs from the hash");
                }
            }
        }
        float[] w = {0.5f, 0.3f, -0.2f};
        float[] scales = {2.5f, 1.75f, 1.4f};
        SourceMask[] packed = {record[0], record[1], record[2]};
        List<TensorView> three = sources.subList(0, 3);
        check(FusedMerge.taskArithmetic(base, three, w, packed, scales, new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f)), DType.BF16);
        check(FusedMerge.taskArithmetic(base, three, w, packed, scales, new FusedMerge.Mixing(Consensus.SUM, false, 1f, 0.5f)), DType.F32);
        // DARE-TIES on two models: the three-source loop with a third lane that keeps nothing.
        FusedMerge two = FusedMerge.taskArithmetic(base, sources.subList(0, 2), new float[] {0.5f, -0.3f}, new SourceMask[] {record[0], record[1]}, new float[] {2.5f, 1.75f}, new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f));
        assertTrue(ThreeSources.of(two, DType.BF16) != null, "DARE-TIES on two models takes the fused loop");
        check(two, DType.BF16);
        check(withInfinities(FusedMerge.taskArithmetic(base, two.sources(), new float[] {-0.5f, 0.3f}, two.masks(), two.scales(), new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f))), DType.BF16);
        SourceMask[] withF16 = {record[0], record[3], record[2]};
        List<TensorView> generalPath = List.of(sources.get(0), sources.get(3), sources.get(2));
        check(FusedMerge.taskArithmetic(base, generalPath, w, withF16, scales, new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f)), DType.BF16);
        check(FusedMerge.taskArithmetic(base, generalPath, w, withF16, scales, new FusedMerge.Mixing(Consensus.NONE, true, 0.6f, 1f)), DType.BF16);
        // A range that starts off a byte boundary (as model stock's rows do) still reads the right bits.
        FusedMerge dare = FusedMerge.taskArithmetic(base, three, w, packed, scales, new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f));
        MemorySegment part = Arena.ofAuto().allocate(2L * n);
        MemorySegment expected = Arena.ofAuto().allocate(2L * n);
        dare.range(3, n, part, DType.BF16);
        for (int i = 3; i < n; i++) {
            Floats.write(expected, DType.BF16, i, reference(dare, i));
        }
        assertEquals(-1, part.mismatch(expected), "a range from element 3");
        // The packed merge gives the hashed merge's bits.
        MemorySegment fromBits = Arena.ofAuto().allocate(2L * n);
        MemorySegment fromHash = Arena.ofAuto().allocate(2L * n);
        FusedMerge.taskArithmetic(base, three, w, packed, scales, new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f)).run(fromBits, DType.BF16);
        FusedMerge.taskArithmetic(base, three, w, Arrays.copyOf(random, 3), scales, new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f))
                .run(fromHash, DType.BF16);
        assertEquals(-1, fromBits.mismatch(fromHash), "packed and hashed masks merge alike");
    }

    @Test
    void twoVectorGramEqualsTheTileByTileDots() {
        int n = MULTI_CHUNK;
        TensorView base = tensor(DType.BF16, gaussian(90, n, 0.02));
        TensorView a = tensor(DType.BF16, gaussian(91, n, 0.02));
        TensorView b = tensor(DType.F32, gaussian(92, n, 0.02));
        for (TensorView from : new TensorView[] {null, base}) {
            double[] fused = Reductions.gram(from, List.of(a, b));
            double[] steps = new double[3];
            for (int c = 0; c < Chunks.count(n); c++) {
                double[] part = new double[3];
                float[] bt = from == null ? null : new float[Tiles.TILE];
                float[] x = new float[Tiles.TILE];
                float[] y = new float[Tiles.TILE];
                for (long t0 = (long) c * Chunks.SIZE; t0 < Math.min(n, (long) (c + 1) * Chunks.SIZE); t0 += Tiles.TILE) {
                    int len = (int) Math.min(Tiles.TILE, n - t0);
                    if (from != null) {
                        Tiles.widen(from.data(), from.dtype(), t0, len, bt);
                    }
                    Tiles.delta(a.data(), a.dtype(), t0, len, bt, x);
                    Tiles.delta(b.data(), b.dtype(), t0, len, bt, y);
                    part[0] += Reductions.dot(x, x, len);
                    part[1] += Reductions.dot(x, y, len);
                    part[2] += Reductions.dot(y, y, len);
                }
                for (int k = 0; k < 3; k++) {
                    steps[k] += part[k];
                }
            }
            assertArrayEquals(steps, fused, from == null ? "without a base" : "with a base");
        }
    }

    @Test
    void reductionsDoNotDependOnTheThreadCount() {
        int n = MULTI_CHUNK;
        TensorView a = tensor(DType.BF16, gaussian(30, n, 1));
        TensorView b = tensor(DType.BF16, gaussian(31, n, 1));
        double[] parallel = Reductions.gram(null, List.of(a, b));
        double[] serial = new double[3];
        for (int c = 0; c < Chunks.count(n); c++) {
            double[] p = Reductions.gram(null, List.of(a, b), (long) c * Chunks.SIZE,
                    Math.min(n, (long) (c + 1) * Chunks.SIZE));
            for (int k = 0; k < 3; k++) {
                serial[k] += p[k];
            }
        }
        assertArrayEquals(serial, parallel);
        double aa = 0;
        for (int i = 0; i < n; i++) {
            aa += (double) a.getFloat(i) * a.getFloat(i);
        }
        assertEquals(aa, parallel[0], aa * 1e-6);
    }
}
