package dev.evomerge.cli;

import dev.evomerge.eval.zoo.DemoSkill;
import dev.evomerge.eval.zoo.ZooSettings;
import java.util.List;

/**
 * What the built-in demo runs: the zoo to train, the hand-made merges to compare with, and the searches.
 * Recipes and configs are mergekit / evomerge YAML with the zoo's folder filled in, written where a user
 * can read and rerun them.
 *
 * @param generations generations per search
 * @param population  candidates per generation (0: the strategy's default)
 */
record DemoPlan(ZooSettings zoo, int generations, int population) {

    /** The tasks of the multi-skill target: every expert's skill. */
    static final List<DemoSkill> MULTI_SKILL = List.of(DemoSkill.ADD, DemoSkill.TRANSLIT, DemoSkill.REVERSE);
    /** The cross-skill target: addition written in the letter script, which no expert was trained on. */
    static final DemoSkill CROSS_SKILL = DemoSkill.ADD_LETTERS;

    static DemoPlan full() {
        return new DemoPlan(ZooSettings.demo(), 20, 0);
    }

    /** Seconds instead of minutes, for the end-to-end test: a tiny zoo and short searches. */
    static DemoPlan quick() {
        return new DemoPlan(ZooSettings.tiny(), 3, 6);
    }

    /** A hand-made merge with default parameters: name, one-line description, YAML. */
    record HandMade(String name, String description, String yaml) {
    }

    /** A search: its name, what it shows, and the config YAML. */
    record Search(String name, String description, String yaml) {
    }

    List<HandMade> handMade(String zooDir) {
        String experts = experts(zooDir);
        return List.of(
                new HandMade("linear", "the experts' average (linear, weight 1 each)", """
                        merge_method: linear
                        models:
                        %s
                        parameters:
                          weight: 1.0
                        dtype: bfloat16
                        """.formatted(experts)),
                new HandMade("task_arithmetic", "task arithmetic, weight 1 per expert", """
                        merge_method: task_arithmetic
                        base_model: %s/base
                        models:
                        %s
                        parameters:
                          weight: 1.0
                        dtype: bfloat16
                        """.formatted(zooDir, experts)),
                new HandMade("ties", "TIES, weight 1, density 0.5", """
                        merge_method: ties
                        base_model: %s/base
                        models:
                        %s
                        parameters:
                          weight: 1.0
                          density: 0.5
                        dtype: bfloat16
                        """.formatted(zooDir, experts)),
                new HandMade("dare_ties", "DARE-TIES, weight 1, density 0.5", """
                        merge_method: dare_ties
                        base_model: %s/base
                        models:
                        %s
                        parameters:
                          weight: 1.0
                          density: 0.5
                        dtype: bfloat16
                        """.formatted(zooDir, experts)));
    }

    List<Search> searches(String zooDir) {
        // Task paths are read relative to the config (written to configs/ beside zoo/), model paths relative
        // to the working directory.
        String multi = tasks("../zoo", MULTI_SKILL);
        String cross = tasks("../zoo", List.of(CROSS_SKILL));
        String genome = geneGuide() + """
                genome:
                  models: [%s]
                  merge_method: task_arithmetic
                  base_model: %s/base
                  layer_granularity: 1
                """.formatted(expertList(zooDir), zooDir);
        // The base is a parent too: a path may keep its layers where no expert's serve better.
        String routing = """
                layer_routing:
                  models: [%s/base, %s]
                  repeats: 1
                """.formatted(zooDir, expertList(zooDir));
        return List.of(
                new Search("params", "parameter space: task arithmetic with per-layer weights of each expert (CMA-ES), multi-skill target",
                        genome + multi + search("cma-es", 1)),
                new Search("routing", "data-flow space: a path through the base's and experts' layers (CMA-ES), multi-skill target",
                        routing + multi + search("cma-es", 2)),
                new Search("cross", "parameter space on the cross-skill target (addition in the letter script)",
                        genome + cross + search("cma-es", 3)));
    }

    /** A comment block listing every merge method a genome may name and the genes each one gets. */
    static String geneGuide() {
        StringBuilder sb = new StringBuilder("# genome.merge_method may be any of these; the genes each gets (weight's"
                + " negative range needs allow_negative_weights):\n");
        for (String name : dev.evomerge.merge.MergeMethods.names()) {
            sb.append("#   ").append(name).append(": ")
                    .append(dev.evomerge.merge.MergeMethods.byName(name).searchGenes().describe()).append('\n');
        }
        return sb.toString();
    }

    private String search(String algorithm, int seed) {
        return "search: {algorithm: %s, generations: %d, population: %d, seed: %d}\n"
                .formatted(algorithm, generations, population, seed);
    }

    private String experts(String zooDir) {
        StringBuilder sb = new StringBuilder();
        for (ZooSettings.Expert e : zoo.experts()) {
            sb.append("  - model: ").append(zooDir).append('/').append(e.name()).append('\n');
        }
        return sb.toString().stripTrailing();
    }

    private String expertList(String zooDir) {
        return String.join(", ", zoo.experts().stream().map(e -> zooDir + "/" + e.name()).toList());
    }

    private static String tasks(String zooFromConfigs, List<DemoSkill> skills) {
        StringBuilder sb = new StringBuilder("tasks:\n");
        for (DemoSkill s : skills) {
            sb.append("  - {path: ").append(zooFromConfigs).append("/tasks/").append(s.taskName()).append(".yaml, weight: 1.0}\n");
        }
        return sb.toString();
    }
}
