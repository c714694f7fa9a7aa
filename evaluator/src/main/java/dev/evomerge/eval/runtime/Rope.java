package dev.evomerge.eval.runtime;

/**
 * Rotary position embedding tables in the Hugging Face {@code rotate_half} convention: dimension {@code i}
 * and {@code i + headDim/2} of a head form one rotating pair, with frequency {@code inv_freq[i]}.
 *
 * {@snippet :
 * Rope rope = Rope.of(config);
 * float[] cos = new float[rope.headDim()], sin = new float[rope.headDim()];
 * rope.fill(7, cos, sin, 0);   // position 7
 * }
 */
final class Rope {

    private final float[] invFreq;

    private Rope(float[] invFreq) {
        this.invFreq = invFreq;
    }

    static Rope of(LlamaConfig c) {
        return new Rope(inverseFrequencies(c.headDim(), c.ropeTheta(), c.ropeScaling()));
    }

    /** {@code theta^(-2i/d)}, then Llama 3 scaling; rounded to float32 as transformers keeps them. */
    static float[] inverseFrequencies(int headDim, double theta, LlamaConfig.RopeScaling s) {
        int half = headDim / 2;
        float[] f = new float[half];
        for (int i = 0; i < half; i++) {
            double inv = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            if (s != null) {
                double wavelen = 2 * Math.PI / inv;
                double lowWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
                double highWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
                if (wavelen > lowWavelen) {
                    inv = inv / s.factor();
                } else if (wavelen >= highWavelen) {
                    double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                            / (s.highFreqFactor() - s.lowFreqFactor());
                    inv = (1 - smooth) * inv / s.factor() + smooth * inv;
                }
            }
            f[i] = (float) inv;
        }
        return f;
    }

    int headDim() {
        return invFreq.length * 2;
    }

    /** Writes cos and sin for {@code position} into {@code cos[at..at+headDim)} and {@code sin[...]}. */
    void fill(int position, float[] cos, float[] sin, int at) {
        int half = invFreq.length;
        for (int i = 0; i < half; i++) {
            // The angle is rounded to float32 first, as transformers computes it.
            float angle = position * invFreq[i];
            float c = (float) Math.cos(angle);
            float s = (float) Math.sin(angle);
            cos[at + i] = c;
            cos[at + half + i] = c;
            sin[at + i] = s;
            sin[at + half + i] = s;
        }
    }
}
