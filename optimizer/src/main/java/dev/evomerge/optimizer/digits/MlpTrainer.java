package dev.evomerge.optimizer.digits;

/**
 * Full-batch Adam on the {@link Mlp} with mean cross-entropy, in plain Java doubles (deterministic).
 * The pretrained seeds of the M2N2 paper are trained this way: from N(0, 0.01^2), learning rate 0.003,
 * 10 steps, optax's Adam defaults (beta1 0.9, beta2 0.999, eps 1e-8), as in SakanaAI/natural_niches.
 *
 * {@snippet :
 * double[] model = MlpTrainer.adam(init, data.trainLabelsBetween(0, 4), 0.003, 10);
 * }
 */
public final class MlpTrainer {
    private MlpTrainer() {}

    /** Returns trained parameters (the input is not modified). */
    public static double[] adam(double[] init, DigitsData data, double lr, int steps) {
        if (init.length != Mlp.PARAMS) {
            throw new IllegalArgumentException("MlpTrainer: expected " + Mlp.PARAMS + " parameters, got " + init.length);
        }
        double[] p = init.clone();
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        for (int t = 1; t <= steps; t++) {
            double[] g = gradient(p, data.trainX(), data.trainY());
            double c1 = 1 - Math.pow(beta1, t);
            double c2 = 1 - Math.pow(beta2, t);
            for (int i = 0; i < p.length; i++) {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                p[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
            }
        }
        return p;
    }

    /** Gradient of the mean cross-entropy over all given images. */
    static double[] gradient(double[] p, float[] x, int[] y) {
        int n = y.length;
        double[] g = new double[p.length];
        double[] a = new double[Mlp.HIDDEN];
        double[] logits = new double[Mlp.OUT];
        double[] dh = new double[Mlp.HIDDEN];
        for (int r = 0; r < n; r++) {
            int xb = r * Mlp.IN;
            for (int h = 0; h < Mlp.HIDDEN; h++) {
                a[h] = p[Mlp.B1 + h];
            }
            for (int k = 0; k < Mlp.IN; k++) {
                double xv = x[xb + k];
                if (xv != 0) {
                    int wb = Mlp.w1(k, 0);
                    for (int h = 0; h < Mlp.HIDDEN; h++) {
                        a[h] += xv * p[wb + h];
                    }
                }
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < Mlp.OUT; o++) {
                double s = p[Mlp.B2 + o];
                for (int h = 0; h < Mlp.HIDDEN; h++) {
                    if (a[h] > 0) {
                        s += a[h] * p[Mlp.w2(h, o)];
                    }
                }
                logits[o] = s;
                max = Math.max(max, s);
            }
            double z = 0;
            for (int o = 0; o < Mlp.OUT; o++) {
                logits[o] = Math.exp(logits[o] - max);
                z += logits[o];
            }
            java.util.Arrays.fill(dh, 0);
            for (int o = 0; o < Mlp.OUT; o++) {
                double d = (logits[o] / z - (o == y[r] ? 1 : 0)) / n;
                g[Mlp.B2 + o] += d;
                for (int h = 0; h < Mlp.HIDDEN; h++) {
                    if (a[h] > 0) {
                        g[Mlp.w2(h, o)] += a[h] * d;
                        dh[h] += p[Mlp.w2(h, o)] * d;
                    }
                }
            }
            for (int h = 0; h < Mlp.HIDDEN; h++) {
                if (a[h] > 0) {
                    g[Mlp.B1 + h] += dh[h];
                }
            }
            for (int k = 0; k < Mlp.IN; k++) {
                double xv = x[xb + k];
                if (xv != 0) {
                    int wb = Mlp.w1(k, 0);
                    for (int h = 0; h < Mlp.HIDDEN; h++) {
                        if (a[h] > 0) {
                            g[wb + h] += xv * dh[h];
                        }
                    }
                }
            }
        }
        return g;
    }

    /** Mean cross-entropy (for tests of the gradient and of training progress). */
    static double loss(double[] p, float[] x, int[] y) {
        double total = 0;
        double[] a = new double[Mlp.HIDDEN];
        for (int r = 0; r < y.length; r++) {
            for (int h = 0; h < Mlp.HIDDEN; h++) {
                double s = p[Mlp.B1 + h];
                for (int k = 0; k < Mlp.IN; k++) {
                    s += x[r * Mlp.IN + k] * p[Mlp.w1(k, h)];
                }
                a[h] = Math.max(0, s);
            }
            double[] logits = new double[Mlp.OUT];
            double max = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < Mlp.OUT; o++) {
                double s = p[Mlp.B2 + o];
                for (int h = 0; h < Mlp.HIDDEN; h++) {
                    s += a[h] * p[Mlp.w2(h, o)];
                }
                logits[o] = s;
                max = Math.max(max, s);
            }
            double z = 0;
            for (double l : logits) {
                z += Math.exp(l - max);
            }
            total += -(logits[y[r]] - max - Math.log(z));
        }
        return total / y.length;
    }
}
