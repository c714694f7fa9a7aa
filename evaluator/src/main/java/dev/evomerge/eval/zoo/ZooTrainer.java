package dev.evomerge.eval.zoo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.evomerge.eval.runtime.TrainableLlama;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Trains a {@link TrainableLlama} on a mixture of {@link DemoSkill}s: each step draws a batch from the
 * mixture with its own seeded generator, so a run is a pure function of its settings. Prompts listed in
 * {@code heldOut} (the tasks' rows) are never trained on. The loss covers the answer and its newline, and
 * all of a {@link DemoSkill#TEXT} line.
 *
 * {@snippet :
 * new ZooTrainer().train(model, Map.of(DemoSkill.ADD, 1.0), stage, heldOut, step -> bar.step());
 * }
 */
final class ZooTrainer {

    /** Runs {@code stage} on {@code mixture} (skill -> share); returns the mean loss of the last tenth of steps. */
    double train(TrainableLlama model, Map<DemoSkill, Double> mixture, TrainingStage stage, Set<String> heldOut,
                 IntConsumer onStep) {
        List<DemoSkill> skills = List.copyOf(mixture.keySet()).stream().sorted().toList();
        double[] cumulative = new double[skills.size()];
        double sum = 0;
        for (int i = 0; i < skills.size(); i++) {
            sum += mixture.get(skills.get(i));
            cumulative[i] = sum;
        }
        SplittableRandom rng = new SplittableRandom(stage.seed());
        Adam adam = new Adam(model.parameters(), stage.learningRate(), stage.scheduleSteps());
        double tail = 0;
        int tailSteps = Math.max(1, stage.steps() / 10);
        for (int step = 1; step <= stage.steps(); step++) {
            int[][] tokens = new int[stage.batch()][];
            float[][] weights = new float[stage.batch()][];
            for (int r = 0; r < stage.batch(); r++) {
                DemoSkill s = pick(skills, cumulative, sum, rng);
                DemoSkill.Example e;
                do {
                    e = s.sample(rng);
                } while (heldOut.contains(e.prompt()) && s != DemoSkill.TEXT);
                encode(e, s == DemoSkill.TEXT, r, tokens, weights);
            }
            pad(tokens, weights);
            double value = step(model, adam, tokens, weights, step);
            if (step > stage.steps() - tailSteps) {
                tail += value;
            }
            onStep.accept(step);
        }
        return tail / tailSteps;
    }

    /** One update on one batch; returns its loss. A non-finite loss or gradient stops training. */
    private static double step(TrainableLlama model, Adam adam, int[][] tokens, float[][] weights, int step) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                loss = model.loss(tokens, weights);
                gc.backward(loss);
            }
            float value = loss.getFloat();
            // With the collector closed gradients are off, so the in-place update is allowed.
            if (!Float.isFinite(value) || !adam.step()) {
                throw new IllegalStateException("training diverged at step " + step + ": loss " + value
                        + (Float.isFinite(value) ? " with non-finite gradients" : ""));
            }
            return value;
        }
    }

    private static DemoSkill pick(List<DemoSkill> skills, double[] cumulative, double sum, SplittableRandom rng) {
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < cumulative.length; i++) {
            if (u < cumulative[i]) {
                return skills.get(i);
            }
        }
        return skills.getLast();
    }

    private static void encode(DemoSkill.Example e, boolean wholeText, int row, int[][] tokens, float[][] weights) {
        int[] t = DemoSkill.tokens(e.text());
        float[] w = new float[t.length];
        for (int j = 1; j < t.length; j++) {
            w[j] = wholeText || j > e.prompt().length() ? 1f : 0f;
        }
        tokens[row] = t;
        weights[row] = w;
    }

    /** Right-pads every row to the longest with {@code </s>} at weight 0. */
    private static void pad(int[][] tokens, float[][] weights) {
        int t = 0;
        for (int[] r : tokens) {
            t = Math.max(t, r.length);
        }
        for (int r = 0; r < tokens.length; r++) {
            int n = tokens[r].length;
            tokens[r] = java.util.Arrays.copyOf(tokens[r], t);
            weights[r] = java.util.Arrays.copyOf(weights[r], t);
            java.util.Arrays.fill(tokens[r], n, t, DemoSkill.EOS);
        }
    }
}
