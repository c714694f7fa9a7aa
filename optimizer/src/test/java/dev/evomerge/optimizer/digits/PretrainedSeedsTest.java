package dev.evomerge.optimizer.digits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The pretrained pair is the reference code's: JAX's initial vectors trained the same way give the same
 * specialists. Expected figures from SakanaAI/natural_niches' {@code get_pre_trained_models()} run here
 * under JAX (2026-11-24): correct test images 158 and 166 of 360, correct training images 709 and 692 of 1437,
 * sums of |parameter| 333.321 and 324.145.
 */
class PretrainedSeedsTest {

    @Test
    void theSpecialistsAreTheReferencesPair() {
        DigitsData data = DigitsData.loadDefault();
        try (DigitsExperiment exp = new DigitsExperiment(data, 1);
             MlpEvaluator test = new MlpEvaluator(data.testX(), data.testY(), 1)) {
            double[][] seeds = exp.pretrainedSeeds();
            int[] testCorrect = {158, 166};
            int[] trainCorrect = {709, 692};
            double[] l1 = {333.321044921875, 324.14520263671875};
            for (int k = 0; k < 2; k++) {
                assertEquals(testCorrect[k], Math.round(test.accuracy(seeds[k]) * data.testSize()), "seed " + k);
                assertEquals(trainCorrect[k], Math.round(exp.trainEvaluator().accuracy(seeds[k]) * data.trainSize()),
                        "seed " + k);
                double sum = 0;
                for (double p : seeds[k]) {
                    sum += Math.abs(p);
                }
                // float32 training there, float64 here: agreement to ~1e-5 relative.
                assertEquals(l1[k], sum, 1e-4 * l1[k], "seed " + k);
            }
        }
    }
}
