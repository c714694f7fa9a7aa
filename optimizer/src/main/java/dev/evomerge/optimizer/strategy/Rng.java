package dev.evomerge.optimizer.strategy;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A seedable xoshiro256** generator whose whole state is four longs, so a checkpoint can store it and a
 * resumed run continues the exact same stream ({@code java.util.Random}'s serialized form is not a
 * contract we want to depend on).
 *
 * {@snippet :
 * Rng rng = Rng.seeded(42);
 * double g = rng.nextGaussian();
 * Rng copy = Rng.restore(rng.state());   // continues identically
 * }
 */
public final class Rng implements RandomGenerator {
    private long s0, s1, s2, s3;

    private Rng(long[] state) {
        if (state.length != 4) {
            throw new IllegalArgumentException("Rng state must have 4 longs, got " + state.length);
        }
        if ((state[0] | state[1] | state[2] | state[3]) == 0) {
            throw new IllegalArgumentException("Rng state must not be all zero");
        }
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
    }

    /** Expands a seed with SplitMix64, as the xoshiro authors recommend. */
    public static Rng seeded(long seed) {
        long[] s = new long[4];
        long x = seed;
        for (int i = 0; i < 4; i++) {
            x += 0x9E3779B97F4A7C15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            s[i] = z ^ (z >>> 31);
        }
        return new Rng(s);
    }

    /** Continues from a state returned by {@link #state()}. */
    public static Rng restore(long[] state) {
        return new Rng(state.clone());
    }

    /** The full generator state (a copy). */
    public long[] state() {
        return new long[] {s0, s1, s2, s3};
    }

    /** An independent generator derived from this one's next output (advances this one by one step). */
    public Rng split() {
        return seeded(nextLong());
    }

    @Override
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    @Override
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Box-Muller without a cached second value, so the state is only the four longs. Overridden
     * because the default ziggurat algorithm's consumption pattern is an implementation detail of the JDK.
     */
    @Override
    public double nextGaussian() {
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    @Override
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return (int) ((nextLong() >>> 33) * bound >>> 31);
    }

    /** Index drawn with probability proportional to {@code weights} (non-negative, positive sum). */
    public int nextWeighted(double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        if (!(total > 0) || Double.isInfinite(total)) {
            throw new IllegalArgumentException("weights must have a positive finite sum: " + Arrays.toString(weights));
        }
        double r = nextDouble() * total;
        double acc = 0;
        int last = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                acc += weights[i];
                last = i;
                if (r < acc) {
                    return i;
                }
            }
        }
        return last;
    }
}
