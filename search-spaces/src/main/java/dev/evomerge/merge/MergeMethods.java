package dev.evomerge.merge;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every merge method, by mergekit's {@code merge_method} name. The task-arithmetic family is one class,
 * {@link GeneralizedTaskArithmetic}, configured here exactly as mergekit's registry configures it.
 *
 * {@snippet :
 * MergeMethod m = MergeMethods.byName("dare_ties");
 * List<String> all = MergeMethods.names();
 * }
 */
public final class MergeMethods {

    private static final Map<String, MergeMethod> METHODS = build();

    private MergeMethods() {
    }

    private static Map<String, MergeMethod> build() {
        Map<String, MergeMethod> m = new LinkedHashMap<>();
        for (MergeMethod method : List.of(
                new Linear(),
                gta("task_arithmetic", Sparsification.NONE, Consensus.NONE, false, false, false),
                gta("ties", Sparsification.MAGNITUDE, Consensus.SUM, true, false, true),
                gta("dare_ties", Sparsification.RANDOM, Consensus.SUM, false, true, true),
                gta("dare_linear", Sparsification.RANDOM, Consensus.NONE, false, true, false),
                gta("breadcrumbs", Sparsification.MAGNITUDE_OUTLIERS, Consensus.NONE, false, false, false),
                gta("breadcrumbs_ties", Sparsification.MAGNITUDE_OUTLIERS, Consensus.SUM, false, false, false),
                gta("della", Sparsification.DELLA_MAGPRUNE, Consensus.SUM, true, true, false),
                gta("della_linear", Sparsification.DELLA_MAGPRUNE, Consensus.NONE, false, true, false),
                new Slerp(),
                new NuSlerp(),
                new MultiSlerp(),
                new Karcher(),
                new ModelStock(),
                new Sce(),
                new ReinforcedAgentMerge(false),
                new ReinforcedAgentMerge(true),
                new NearSwap(),
                new ArceeFusion(),
                new Passthrough())) {
            m.put(method.name(), method);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * A task-arithmetic method as mergekit's registry configures it; {@code searchNormalize} is the
     * {@code normalize} mergekit-evolve gives a searched recipe.
     */
    private static MergeMethod gta(String name, Sparsification s, Consensus c, boolean normalize, boolean rescale,
                                   boolean searchNormalize) {
        return new GeneralizedTaskArithmetic(name, s, c, normalize, rescale, searchNormalize);
    }

    /** The method named {@code name}; throws listing the known names if there is none. */
    public static MergeMethod byName(String name) {
        MergeMethod m = METHODS.get(name);
        if (m == null) {
            throw new IllegalArgumentException("unknown merge_method '" + name + "' (known: "
                    + String.join(", ", METHODS.keySet()) + ")");
        }
        return m;
    }

    /** All method names, in registry order. */
    public static List<String> names() {
        return List.copyOf(METHODS.keySet());
    }
}
