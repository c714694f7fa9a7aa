package dev.evomerge.optimizer.digits;

/**
 * JAX's default random numbers (threefry2x32, with {@code jax_threefry_partitionable} off as in JAX 0.4.x),
 * enough to draw the same N(0, 1) vectors as {@code jax.random.normal(jax.random.split(PRNGKey(s))[i], (n,))}.
 * The M2N2 paper's pretrained seeds start from such draws, and which pair of draws they start from moves
 * the pretrained result by about 10 points (a SLERP of the paper's pair reaches 57.5% test accuracy, of
 * other pairs 73% on average), so reproducing the paper's figure needs the paper's initial vectors.
 * Threefry is the Random123 counter-based generator (Salmon et al. 2011); {@code erfinv} is Giles'
 * single-precision approximation, the one XLA uses, so normals match JAX's to float32 rounding.
 *
 * {@snippet :
 * JaxRandom.Key[] keys = JaxRandom.Key.of(42).split(2);
 * float[] init = keys[0].normal(19_210);   // jax.random.normal(key1, (19210,))
 * }
 */
public final class JaxRandom {

    /** Threefry2x32's rotation amounts, alternating every four rounds. */
    private static final int[][] ROTATIONS = {{13, 15, 26, 6}, {17, 29, 16, 24}};

    /** Giles (2010), "Approximating the erfinv function": the single-precision central and tail polynomials. */
    private static final float[] CENTRAL = {2.81022636e-08f, 3.43273939e-07f, -3.5233877e-06f, -4.39150654e-06f,
        0.00021858087f, -0.00125372503f, -0.00417768164f, 0.246640727f, 1.50140941f};
    private static final float[] TAIL = {-0.000200214257f, 0.000100950558f, 0.00134934322f, -0.00367342844f,
        0.00573950773f, -0.0076224613f, 0.00943887047f, 1.00167406f, 2.83297682f};

    private JaxRandom() {
    }

    /** A threefry key: the two 32-bit words of a JAX {@code uint32[2]} key. */
    public record Key(int hi, int lo) {

        /** {@code jax.random.PRNGKey(seed)} for a 32-bit seed: high word 0, low word the seed. */
        public static Key of(int seed) {
            return new Key(0, seed);
        }

        /** {@code jax.random.split(key, n)}: threefry of the counters 0 .. 2n-1, read as n key pairs. */
        public Key[] split(int n) {
            int[] words = bits(2 * n);
            Key[] keys = new Key[n];
            for (int i = 0; i < n; i++) {
                keys[i] = new Key(words[2 * i], words[2 * i + 1]);
            }
            return keys;
        }

        /**
         * {@code jax.random.bits(key, (n,), uint32)}: the counters 0 .. n-1 (padded with a 0 to even length)
         * cut into a first and a second half, each pair (first[i], second[i]) one threefry block, and the
         * blocks' first words followed by their second words.
         */
        public int[] bits(int n) {
            int half = (n + 1) / 2;
            int[] out = new int[2 * half];
            int[] block = new int[2];
            for (int i = 0; i < half; i++) {
                int second = half + i;
                threefry2x32(hi, lo, i, second < n ? second : 0, block);
                out[i] = block[0];
                out[half + i] = block[1];
            }
            return n == out.length ? out : java.util.Arrays.copyOf(out, n);
        }

        /**
         * {@code jax.random.normal(key, (n,))} in float32: uniforms in (-1, 1) from the top 23 bits, then
         * sqrt(2) erfinv(u).
         */
        public float[] normal(int n) {
            int[] b = bits(n);
            float low = Math.nextUp(-1f);
            // 1 - (-1 + 2^-24) rounds to 2 in float32, as in JAX.
            float span = 1f - low;
            float sqrt2 = (float) Math.sqrt(2);
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                float unit = Float.intBitsToFloat(b[i] >>> 9 | 0x3f800000) - 1f;
                float u = Math.max(low, unit * span + low);
                out[i] = sqrt2 * erfinv(u);
            }
            return out;
        }
    }

    /** One threefry2x32 block of 20 rounds: key (k0, k1), counter (x0, x1), result in {@code out}. */
    static void threefry2x32(int k0, int k1, int x0, int x1, int[] out) {
        int[] ks = {k0, k1, k0 ^ k1 ^ 0x1BD11BDA};
        x0 += ks[0];
        x1 += ks[1];
        for (int group = 0; group < 5; group++) {
            for (int r : ROTATIONS[group % 2]) {
                x0 += x1;
                x1 = Integer.rotateLeft(x1, r);
                x1 ^= x0;
            }
            x0 += ks[(group + 1) % 3];
            x1 += ks[(group + 2) % 3] + group + 1;
        }
        out[0] = x0;
        out[1] = x1;
    }

    /** erfinv in float32 arithmetic, as XLA evaluates it. */
    static float erfinv(float x) {
        if (Math.abs(x) == 1f) {
            return x * Float.POSITIVE_INFINITY;
        }
        float w = (float) -Math.log1p(-x * x);
        float[] c;
        if (w < 5f) {
            w -= 2.5f;
            c = CENTRAL;
        } else {
            w = (float) Math.sqrt(w) - 3f;
            c = TAIL;
        }
        float p = c[0];
        for (int i = 1; i < c.length; i++) {
            p = c[i] + p * w;
        }
        return p * x;
    }
}
