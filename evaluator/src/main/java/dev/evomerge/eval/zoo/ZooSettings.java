package dev.evomerge.eval.zoo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that decides the demo zoo's weights: model shape, the base's training mixture and stage,
 * the experts and their stage, task sizes, seed and thread count. Two builds with equal settings give
 * bit-identical files; {@link #fingerprint()} names a build.
 *
 * @param baseMixture   skill -> share of the base model's training batches
 * @param experts       fine-tunes of the base, each on one skill
 * @param replay        share of each expert's batches that are generic text (keeps it fluent)
 * @param searchRows    rows per task the search may see
 * @param testRows      held-out rows per task, scored only in the final table
 * @param threads       PyTorch intra-op threads while training. Fixed, so results do not depend on the machine's
 *                      core count; 1 was faster for models this small
 */
public record ZooSettings(int hidden, int layers, int heads, int intermediate, int vocab,
                          Map<DemoSkill, Double> baseMixture, TrainingStage base,
                          List<Expert> experts, TrainingStage expert, double replay,
                          int searchRows, int testRows, long seed, int threads) {

    /** A fine-tune of the base on one skill, saved as {@code zoo/<name>}. */
    public record Expert(String name, DemoSkill skill) {
        public Expert {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(skill, "skill");
        }
    }

    public ZooSettings {
        baseMixture = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(baseMixture));
        experts = List.copyOf(experts);
        if (vocab < DemoSkill.VOCABULARY.size()) {
            throw new IllegalArgumentException("vocab " + vocab + " is smaller than the demo's "
                    + DemoSkill.VOCABULARY.size() + " characters");
        }
        if (hidden % heads != 0 || (hidden / heads) % 2 != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " must split into " + heads + " heads of even size");
        }
        if (!(replay >= 0 && replay < 1)) {
            throw new IllegalArgumentException("replay must be in [0, 1), got " + replay);
        }
    }

    /**
     * The demo's zoo: 4-layer models of 0.3M parameters, a base and three experts. The base is a snapshot at
     * step 2000 of a 3000-step run, taken while it is half-way through learning its skills (it then writes
     * most transliterations, half the reversals and few sums right); each expert, fine-tuned on one skill,
     * masters it and forgets most of the others.
     */
    public static ZooSettings demo() {
        return new ZooSettings(64, 4, 4, 192, 48, defaultMixture(),
                new TrainingStage(2000, 3000, 32, 3e-3, 11),
                defaultExperts(), new TrainingStage(1000, 32, 5e-4, 12), 0.25,
                100, 200, 2024, 1);
    }

    /** A zoo small enough for a unit test (seconds to build; the models learn little). */
    public static ZooSettings tiny() {
        return new ZooSettings(32, 2, 2, 64, 48, defaultMixture(),
                new TrainingStage(60, 16, 3e-3, 11),
                defaultExperts(), new TrainingStage(20, 16, 1e-3, 12), 0.25,
                8, 8, 2024, 1);
    }

    /** The same settings with other training stages (experiments, tests). */
    public ZooSettings withStages(TrainingStage base, TrainingStage expert) {
        return new ZooSettings(hidden, layers, heads, intermediate, vocab, baseMixture, base, experts, expert, replay,
                searchRows, testRows, seed, threads);
    }

    private static Map<DemoSkill, Double> defaultMixture() {
        Map<DemoSkill, Double> m = new LinkedHashMap<>();
        m.put(DemoSkill.TEXT, 0.5);
        m.put(DemoSkill.ADD, 0.125);
        m.put(DemoSkill.TRANSLIT, 0.125);
        m.put(DemoSkill.REVERSE, 0.125);
        m.put(DemoSkill.ADD_LETTERS, 0.125);
        return m;
    }

    private static List<Expert> defaultExperts() {
        return List.of(new Expert("math", DemoSkill.ADD), new Expert("script", DemoSkill.TRANSLIT),
                new Expert("reverse", DemoSkill.REVERSE));
    }

    /** A stable text naming every setting: the zoo directory records it and rebuilds when it changes. */
    public String fingerprint() {
        // The version names how the trainer reads these settings; it changes when that does.
        return "zoo-recipe-2 " + this;
    }
}
