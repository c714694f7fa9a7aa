package dev.evomerge.plan;

import dev.evomerge.merge.GeneralizedTaskArithmetic;
import dev.evomerge.merge.Sparsification;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What mergekit itself would refuse in a planned merge that evomerge runs: evomerge keeps the largest element
 * where a TIES density keeps none, while mergekit's magnitude sparsification asserts that
 * {@code int(density * elements) > 0}; and a density of 0 or below keeps nothing under any sparsifying method
 * (DARE then divides by it). {@code export} checks a recipe here so that what it writes runs in mergekit too.
 *
 * {@snippet :
 * List<String> problems = MergekitRules.violations(MergePlanner.plan(recipe, models));
 * }
 */
public final class MergekitRules {

    private MergekitRules() {
    }

    /** One line per (tensor, model) mergekit would refuse, naming the key and the value; empty when it runs. */
    public static List<String> violations(MergePlan plan) {
        List<String> out = new ArrayList<>();
        for (TensorTask t : plan.tasks()) {
            long elements = t.output().shape().elementCount();
            for (TensorTask.Source s : t.sources()) {
                if (!s.parameters().has("density")) {
                    continue;
                }
                double density = s.parameters().number("density");
                String where = String.format(Locale.ROOT, "density %s for %s of %s (%d elements)", density,
                        s.tensor().tensorName(), s.tensor().model(), elements);
                if (!(density > 0)) {
                    out.add(where + ": mergekit needs a density above 0");
                } else if (magnitudeSparsified(t) && density < 1 && (long) (density * elements) < 1) {
                    out.add(where + ": mergekit's TIES keeps int(density x elements) elements and refuses 0");
                }
            }
        }
        return out;
    }

    /** TIES' sparsification: the one whose top-k mergekit asserts to be non-empty. */
    private static boolean magnitudeSparsified(TensorTask t) {
        return t.method() instanceof GeneralizedTaskArithmetic g && g.sparsification() == Sparsification.MAGNITUDE;
    }
}
