package dev.evomerge.optimizer.digits;

/**
 * Layout of the 64 -> 256 (ReLU) -> 10 network as one flat parameter vector of 19,210 values, in
 * SakanaAI/natural_niches' order: W1 [64 x 256] row-major, b1 [256], W2 [256 x 10] row-major, b2 [10].
 *
 * {@snippet :
 * double w = params[Mlp.w1(k, h)];   // input k -> hidden h
 * }
 */
public final class Mlp {
    public static final int IN = 64;
    public static final int HIDDEN = 256;
    public static final int OUT = 10;
    public static final int B1 = IN * HIDDEN;
    public static final int W2 = B1 + HIDDEN;
    public static final int B2 = W2 + HIDDEN * OUT;
    public static final int PARAMS = B2 + OUT;

    private Mlp() {}

    public static int w1(int k, int h) {
        return k * HIDDEN + h;
    }

    public static int w2(int h, int o) {
        return W2 + h * OUT + o;
    }
}
