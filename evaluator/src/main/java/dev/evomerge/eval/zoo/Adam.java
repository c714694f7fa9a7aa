package dev.evomerge.eval.zoo;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Adam with global-norm gradient clipping and a learning rate that warms up linearly and then decays
 * linearly to a tenth. Its moment arrays are made when it is built, outside any {@link ai.djl.ndarray.NDScope}
 * the training step opens, so a step's scope frees only that step's temporaries. (DJL's own Adam makes its
 * state lazily inside the first step, where a scope would free it.)
 *
 * {@snippet :
 * Adam adam = new Adam(model.parameters(), 3e-3, 1000);
 * adam.step();   // after GradientCollector.backward(loss)
 * }
 */
final class Adam {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.98f;
    private static final float EPS = 1e-8f;
    private static final double CLIP_NORM = 1.0;

    private final List<NDArray> params = new ArrayList<>();
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private final double peak;
    private final int totalSteps;
    private final int warmup;
    private int t;

    Adam(Map<String, NDArray> parameters, double peak, int totalSteps) {
        this.peak = peak;
        this.totalSteps = totalSteps;
        this.warmup = Math.max(1, totalSteps / 20);
        for (NDArray p : parameters.values()) {
            params.add(p);
            m.add(p.zerosLike());
            v.add(p.zerosLike());
        }
    }

    /** The learning rate of step {@code step} (1-based). */
    double rate(int step) {
        if (step <= warmup) {
            return peak * step / warmup;
        }
        double done = (double) (step - warmup) / Math.max(1, totalSteps - warmup);
        return peak * (1 - 0.9 * Math.min(1, done));
    }

    /**
     * Applies the gradients accumulated on the parameters, then zeroes them; call inside an NDScope. If any
     * gradient is not finite nothing is updated and it returns false (the trainer then stops).
     */
    boolean step() {
        List<NDArray> grads = new ArrayList<>();
        double sq = 0;
        for (NDArray p : params) {
            NDArray g = p.getGradient();
            grads.add(g);
            sq += g.square().sum().getFloat();
        }
        if (!Double.isFinite(sq)) {
            return false;
        }
        t++;
        double norm = Math.sqrt(sq);
        float clip = norm > CLIP_NORM ? (float) (CLIP_NORM / norm) : 1f;
        float lr = (float) rate(t);
        float c1 = (float) (1 - Math.pow(BETA1, t));
        float c2 = (float) (1 - Math.pow(BETA2, t));
        for (int i = 0; i < params.size(); i++) {
            NDArray g = grads.get(i).mul(clip);
            m.get(i).muli(BETA1).addi(g.mul(1 - BETA1));
            v.get(i).muli(BETA2).addi(g.square().muli(1 - BETA2));
            NDArray update = m.get(i).div(c1).divi(v.get(i).div(c2).sqrt().addi(EPS)).muli(lr);
            params.get(i).subi(update);
            grads.get(i).subi(grads.get(i));
        }
        return true;
    }
}
