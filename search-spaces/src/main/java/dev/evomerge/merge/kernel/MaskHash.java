package dev.evomerge.merge.kernel;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Counter-based uniform random numbers for DARE/DELLA masks: element {@code i} of source {@code s} gets
 * 24 random bits that depend only on (seed, stream, i), never on how the tensor is split across threads.
 * The murmur3 32-bit finaliser (a bijection with full avalanche) of the low index bits xor a key that is a
 * splitmix64 of the seed, the stream and the high index bits; in 32-bit lanes so it vectorises on AVX2.
 * One round keeps DARE's mask cheap enough to recompute in both of its passes instead of storing it.
 *
 * {@snippet :
 * boolean keep = MaskHash.bits24(seed, source, i) < MaskHash.threshold(density);
 * }
 */
public final class MaskHash {

    private MaskHash() {
    }

    /** splitmix64's finaliser. */
    public static long splitmix64(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The key for one (seed, stream, high 32 index bits) triple; its low 32 bits are used. */
    static long key(long seed, int stream, long indexHigh) {
        return splitmix64(splitmix64(seed ^ splitmix64(stream + 0x632BE59BD9B4E019L)) + indexHigh);
    }

    static int fmix32(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }

    /** 24 uniform random bits (0 .. 2^24-1) for element {@code index} of {@code stream}. */
    public static int bits24(long seed, int stream, long index) {
        long key = key(seed, stream, index >>> 32);
        return fmix32((int) index ^ (int) key) >>> 8;
    }

    /** A uniform float in [0, 1) for element {@code index} of {@code stream}. */
    public static float uniform(long seed, int stream, long index) {
        return bits24(seed, stream, index) * 0x1.0p-24f;
    }

    /** Threshold such that {@code bits24 < threshold} holds with probability {@code p} (to 2^-24). */
    public static int threshold(double p) {
        return (int) Math.max(0, Math.min(1 << 24, Math.floor(p * (1 << 24))));
    }

    /** Vector form of {@link #bits24} for lanes whose index low bits are {@code indexLow}, sharing a key. */
    static IntVector bits24(IntVector indexLow, long key) {
        return fmix32(indexLow.lanewise(VectorOperators.XOR, (int) key)).lanewise(VectorOperators.LSHR, 8);
    }

    private static IntVector fmix32(IntVector h) {
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x85EBCA6B);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 13)).mul(0xC2B2AE35);
        return h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
    }
}
