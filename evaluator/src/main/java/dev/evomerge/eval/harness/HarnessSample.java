package dev.evomerge.eval.harness;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one document's scoring produced, as lm-evaluation-harness's {@code --log_samples} records it: the
 * document, the model's raw output (generation) or per-continuation log-likelihoods, the answer after each
 * filter, and each metric's score (keyed {@code metric,filter}).
 *
 * @param output       the generated text, cut at the first stop string (generation; empty otherwise)
 * @param logLikelihoods one per continuation (multiple choice, loglikelihood, rolling)
 * @param greedy       per continuation: whether greedy decoding writes it (loglikelihood and rolling; empty
 *                     for multiple choice, whose metrics do not need it)
 * @param filtered     the filtered answer, by filter name (generation)
 * @param scores       per-document metric values by {@code metric,filter}; the perplexities hold the
 *                     document's log-likelihood (and its word or byte count under {@code ...:units})
 */
public record HarnessSample(HarnessDoc doc, String output, double[] logLikelihoods, boolean[] greedy,
                            Map<String, String> filtered, Map<String, Double> scores) {

    public HarnessSample {
        Objects.requireNonNull(doc, "doc");
        Objects.requireNonNull(output, "output");
        logLikelihoods = logLikelihoods.clone();
        greedy = greedy.clone();
        filtered = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(filtered));
        scores = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(scores));
    }

    @Override
    public double[] logLikelihoods() {
        return logLikelihoods.clone();
    }

    @Override
    public boolean[] greedy() {
        return greedy.clone();
    }

    /** The choices' indices, as a convenience for logs. */
    List<String> continuations() {
        return doc.continuations();
    }
}
