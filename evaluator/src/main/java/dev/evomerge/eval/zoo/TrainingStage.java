package dev.evomerge.eval.zoo;

/**
 * How long and how fast one training stage runs: {@code steps} batches of {@code batch} examples, Adam at a
 * peak {@code learningRate}, batches drawn from {@code seed}.
 */
public record TrainingStage(int steps, int batch, double learningRate, long seed) {
    public TrainingStage {
        if (steps < 1 || batch < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("a training stage needs steps, batch and learning rate > 0");
        }
    }
}
