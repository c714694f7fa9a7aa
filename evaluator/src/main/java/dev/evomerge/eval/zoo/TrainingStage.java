package dev.evomerge.eval.zoo;

/**
 * How long and how fast one training stage runs: {@code steps} batches of {@code batch} examples, Adam at a
 * peak {@code learningRate} on a schedule laid out for {@code scheduleSteps}, batches drawn from {@code seed}.
 * A stage that stops before its schedule ends is a snapshot taken mid-run, as released base checkpoints
 * often are: the demo's base is one, caught while it is still learning its skills.
 */
public record TrainingStage(int steps, int scheduleSteps, int batch, double learningRate, long seed) {
    public TrainingStage {
        if (steps < 1 || batch < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("a training stage needs steps, batch and learning rate > 0");
        }
        if (scheduleSteps < steps) {
            throw new IllegalArgumentException("schedule of " + scheduleSteps + " steps is shorter than the "
                    + steps + " steps run");
        }
    }

    /** A stage that runs its whole schedule. */
    public TrainingStage(int steps, int batch, double learningRate, long seed) {
        this(steps, steps, batch, learningRate, seed);
    }
}
