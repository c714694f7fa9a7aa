package dev.evomerge.eval.harness;

import dev.evomerge.eval.harness.LocalDatasets.Doc;
import java.util.List;

/**
 * lm-evaluation-harness's two few-shot samplers. The default draws {@code random.sample(pool, n)} (n + 1 when
 * the document itself must be left out, dropping any example equal to it and keeping the first n);
 * {@code first_n} takes the first n documents other than the document itself. One sampler serves a whole
 * split, drawn through its documents in order, so each draw depends on those before it.
 */
final class FewshotSampler {

    private final List<Doc> pool;
    private final boolean firstN;
    private final PyRandom random;

    FewshotSampler(List<Doc> pool, boolean firstN, PyRandom random) {
        this.pool = List.copyOf(pool);
        this.firstN = firstN;
        this.random = random;
    }

    /** {@code n} examples for a document; {@code exclude} (compared by content, as Python's dict equality) or null. */
    List<Doc> sample(int n, Doc exclude) {
        if (firstN) {
            List<Doc> others = exclude == null ? pool
                    : pool.stream().filter(d -> !d.fields().equals(exclude.fields())).toList();
            return others.subList(0, Math.min(n, others.size()));
        }
        if (exclude == null) {
            return random.sample(pool, n);
        }
        List<Doc> drawn = random.sample(pool, n + 1).stream().filter(d -> !d.fields().equals(exclude.fields())).toList();
        return drawn.subList(0, Math.min(n, drawn.size()));
    }
}
