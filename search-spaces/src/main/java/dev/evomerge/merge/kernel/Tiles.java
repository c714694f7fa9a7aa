package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Moves one tile of elements between a tensor's bytes and a float32 array that stays in L1 cache. Kernels
 * stream every input once through such tiles, so a fused merge is a single pass over main memory while
 * its per-element steps remain simple vector loops over arrays. bf16 is widened in registers (shift left
 * 16) and narrowed with round-to-nearest-even, bit-identical to {@link Floats}.
 *
 * {@snippet :
 * float[] tile = new float[Tiles.TILE];
 * Tiles.widen(view.data(), view.dtype(), start, len, tile);
 * Tiles.narrow(tile, len, out, DType.BF16, start);
 * }
 */
public final class Tiles {

    /** Elements per tile: a few of these float arrays fit in L1 together. */
    public static final int TILE = 1024;

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    static final int LANES = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private Tiles() {
    }

    /** Reads elements {@code [start, start + len)} of {@code seg} (in {@code type}) into {@code dst[0..len)}. */
    public static void widen(MemorySegment seg, DType type, long start, int len, float[] dst) {
        int bound = F.loopBound(len);
        int j = 0;
        switch (type) {
            case F32, BF16 -> {
                boolean bf16 = type == DType.BF16;
                MemorySegment slice = slice(seg, bf16, start, len);
                for (; j < bound; j += LANES) {
                    load(slice, bf16, j).intoArray(dst, j);
                }
            }
            case F16 -> {
                // No half-float conversion in the Vector API; Float.float16ToFloat is an intrinsic (F16C).
            }
        }
        for (; j < len; j++) {
            dst[j] = Floats.read(seg, type, start + j);
        }
    }

    /**
     * Elements {@code [start, start + len)} of a bf16 (else f32) segment as a segment of their own, for a loop
     * to read with {@link #load}: with int offsets into a slice of known length,
     * C2 proves the loop's vector accesses in bounds once instead of checking each (the selection scan ran
     * about 15% faster so, in a microbenchmark); with long offsets into the whole tensor it cannot.
     */
    static MemorySegment slice(MemorySegment seg, boolean bf16, long start, int len) {
        long size = bf16 ? 2 : 4;
        return seg.asSlice(start * size, len * size);
    }

    /** One vector of elements from {@code index} of a {@link #slice}, widened in registers. */
    static FloatVector load(MemorySegment slice, boolean bf16, int index) {
        if (bf16) {
            ShortVector s = ShortVector.fromMemorySegment(S, slice, (long) index * 2, LE);
            return ((IntVector) s.convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        }
        return FloatVector.fromMemorySegment(F, slice, (long) index * 4, LE);
    }

    /** Whether {@link #packed} and {@link #pack} serve this machine's vectors: 4, 8 or 16 float lanes. */
    public static boolean packsMasks() {
        return LANES == 4 || LANES == 8 || LANES == 16;
    }

    /**
     * The keep mask of the vector at element {@code index} (a multiple of 8) from a packed bit mask. Vectors
     * of 4, 8 or 16 lanes (see {@link #packsMasks}) never straddle a byte pair, so one narrow read serves each.
     */
    static VectorMask<Float> packed(MemorySegment bits, long index) {
        long at = index >>> 3;
        long word = switch (LANES) {
            case 16 -> bits.get(SHORT_LE, at) & 0xffffL;
            case 8 -> bits.get(ValueLayout.JAVA_BYTE, at) & 0xffL;
            default -> (bits.get(ValueLayout.JAVA_BYTE, at) & 0xffL) >>> (index & 7) & ((1L << LANES) - 1);
        };
        return VectorMask.fromLong(F, word);
    }

    /**
     * Records {@code keep} for the vector at element {@code index} (a multiple of 8, or of 4 for 4 lanes) into
     * zeroed packed bits, as {@link #packed} reads them; 4-lane vectors share a byte, so they OR into it.
     */
    static void pack(VectorMask<Float> keep, MemorySegment bits, long index) {
        long at = index >>> 3;
        long word = keep.toLong();
        switch (LANES) {
            case 16 -> bits.set(SHORT_LE, at, (short) word);
            case 8 -> bits.set(ValueLayout.JAVA_BYTE, at, (byte) word);
            default -> bits.set(ValueLayout.JAVA_BYTE, at,
                    (byte) (bits.get(ValueLayout.JAVA_BYTE, at) | word << (index & 7)));
        }
    }

    /** Writes {@code src[0..len)} to elements {@code [start, start + len)} of {@code seg} in {@code type}. */
    public static void narrow(float[] src, int len, MemorySegment seg, DType type, long start) {
        int bound = F.loopBound(len);
        int j = 0;
        switch (type) {
            case F32 -> {
                MemorySegment slice = slice(seg, false, start, len);
                for (; j < bound; j += LANES) {
                    FloatVector.fromArray(F, src, j).intoMemorySegment(slice, (long) j * 4, LE);
                }
            }
            case BF16 -> {
                MemorySegment slice = slice(seg, true, start, len);
                for (; j < bound; j += LANES) {
                    FloatVector v = FloatVector.fromArray(F, src, j);
                    IntVector bits = v.reinterpretAsInts();
                    IntVector high = bits.lanewise(VectorOperators.LSHR, 16);
                    IntVector rounded = bits.add(high.and(1).add(0x7fff)).lanewise(VectorOperators.LSHR, 16);
                    VectorMask<Float> nan = v.test(VectorOperators.IS_NAN);
                    if (nan.anyTrue()) {
                        rounded = rounded.blend(high.or(0x0040), nan.cast(I));
                    }
                    ShortVector s = (ShortVector) rounded.convertShape(VectorOperators.I2S, S, 0);
                    s.intoMemorySegment(slice, (long) j * 2, LE);
                }
            }
            case F16 -> {
                // Scalar: Float.floatToFloat16 is an intrinsic (F16C).
            }
        }
        for (; j < len; j++) {
            Floats.write(seg, type, start + j, src[j]);
        }
    }

    /** {@code dst = x - b} (or {@code x} when b is null), widening x straight from memory in the same loop. */
    static void delta(MemorySegment x, DType type, long t0, int len, float[] b, float[] dst) {
        if (type == DType.F16 || b == null) {
            Tiles.widen(x, type, t0, len, dst);
            if (b != null) {
                subtract(dst, b, len);
            }
            return;
        }
        boolean bf16 = type == DType.BF16;
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
        for (; j < bound; j += Tiles.LANES) {
            Tiles.load(xs, bf16, j).sub(FloatVector.fromArray(Tiles.F, b, j)).intoArray(dst, j);
        }
        for (; j < len; j++) {
            dst[j] = Floats.read(x, type, t0 + j) - b[j];
        }
    }

    /** {@link #delta} in plain scalar Java, for small tensors. */
    static void deltaScalar(MemorySegment x, DType type, long t0, int len, float[] b, float[] dst) {
        for (int j = 0; j < len; j++) {
            float v = Floats.read(x, type, t0 + j);
            dst[j] = b != null ? v - b[j] : v;
        }
    }

    static void subtract(float[] x, float[] b, int len) {
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        for (; j < bound; j += Tiles.LANES) {
            FloatVector.fromArray(Tiles.F, x, j).sub(FloatVector.fromArray(Tiles.F, b, j)).intoArray(x, j);
        }
        for (; j < len; j++) {
            x[j] = x[j] - b[j];
        }
    }

    /** {@code dst = keep ? (d * scale) * weight : 0}; with scale = weight = 1 it is the masked delta. */
    static void applyMask(SourceMask mask, long t0, int len, float[] d, float[] dst, float scale, float weight) {
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        FloatVector zero = FloatVector.zero(Tiles.F);
        switch (mask) {
            case SourceMask.None none -> {
                for (; j < bound; j += Tiles.LANES) {
                    FloatVector.fromArray(Tiles.F, d, j).mul(scale).mul(weight).intoArray(dst, j);
                }
            }
            case SourceMask.RankBand band -> {
                IntVector iota = IntVector.zero(Tiles.I).addIndex(1);
                TopSet outer = band.outer();
                TopSet inner = band.inner();
                int outerCut = relativeCutoff(outer.cutoff(), t0);
                int innerCut = relativeCutoff(inner.cutoff(), t0);
                boolean noInner = inner.equals(TopSet.NONE);
                for (; j < bound; j += Tiles.LANES) {
                    FloatVector v = FloatVector.fromArray(Tiles.F, d, j);
                    FloatVector a = v.abs();
                    VectorMask<Float> keep = a.compare(VectorOperators.GT, outer.value());
                    VectorMask<Float> tie = a.compare(VectorOperators.EQ, outer.value());
                    if (tie.anyTrue()) {
                        keep = keep.or(tie.and(iota.add(j).compare(VectorOperators.LT, outerCut).cast(Tiles.F)));
                    }
                    if (!noInner) {
                        VectorMask<Float> inInner = a.compare(VectorOperators.GT, inner.value())
                                .or(a.compare(VectorOperators.EQ, inner.value())
                                        .and(iota.add(j).compare(VectorOperators.LT, innerCut).cast(Tiles.F)));
                        keep = keep.andNot(inInner);
                    }
                    zero.blend(v.mul(scale).mul(weight), keep).intoArray(dst, j);
                }
            }
            case SourceMask.Random random -> {
                IntVector iota = IntVector.zero(Tiles.I).addIndex(1);
                // Tiles never straddle a 2^32 boundary (TILE divides 2^32), so one key serves the tile.
                long key = MaskHash.key(random.seed(), random.stream(), t0 >>> 32);
                int low = (int) t0;
                int threshold = random.threshold();
                for (; j < bound; j += Tiles.LANES) {
                    IntVector bits = MaskHash.bits24(iota.add(low + j), key);
                    VectorMask<Float> keep = bits.compare(VectorOperators.LT, threshold).cast(Tiles.F);
                    FloatVector v = FloatVector.fromArray(Tiles.F, d, j);
                    zero.blend(v.mul(scale).mul(weight), keep).intoArray(dst, j);
                }
            }
            case SourceMask.Packed packed -> {
                for (; j < bound; j += Tiles.LANES) {
                    VectorMask<Float> keep = Tiles.packed(packed.bits(), t0 + j);
                    FloatVector v = FloatVector.fromArray(Tiles.F, d, j);
                    zero.blend(v.mul(scale).mul(weight), keep).intoArray(dst, j);
                }
            }
            case SourceMask.Stored stored -> {
                for (; j < len; j++) {
                    dst[j] = stored.bytes().get(ValueLayout.JAVA_BYTE, t0 + j) != 0 ? (d[j] * scale) * weight : 0f;
                }
            }
        }
        for (; j < len; j++) {
            dst[j] = mask.keeps(t0 + j, Math.abs(d[j])) ? (d[j] * scale) * weight : 0f;
        }
    }

    private static int relativeCutoff(long cutoff, long t0) {
        return (int) Math.max(0, Math.min(Tiles.TILE, cutoff - t0));
    }
}
