package dev.evomerge.cli;

import dev.evomerge.eval.zoo.DemoSkill;
import dev.evomerge.eval.zoo.TrainingStage;
import dev.evomerge.eval.zoo.ZooSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A zoo of the search-quality bench: how it is trained (a {@link ZooSettings}, built and cached like the demo's)
 * and the target the searches are scored on (the mean of {@code target}'s skills).
 *
 * @param name     folder name under the bench's {@code zoos/}
 * @param settings what decides the zoo's weights
 * @param target   the skills whose mean score is the fitness (search rows) and the result (test rows)
 */
record QualityZoo(String name, ZooSettings settings, List<DemoSkill> target) {

    QualityZoo {
        target = List.copyOf(target);
    }

    /** The demo's zoo and target: three experts, one skill each, all three wanted. */
    static QualityZoo demo() {
        return new QualityZoo("demo", ZooSettings.demo(), DemoPlan.MULTI_SKILL);
    }

    /**
     * Two experts whose skills must be combined (letter script and reversal) beside a distractor (addition),
     * trained from other seeds than the demo's.
     */
    static QualityZoo pair() {
        ZooSettings d = ZooSettings.demo();
        return new QualityZoo("pair", new ZooSettings(d.hidden(), d.layers(), d.heads(), d.intermediate(), d.vocab(),
                d.baseMixture(), reseeded(d.base(), 21), d.experts(), reseeded(d.expert(), 22), d.replay(),
                d.searchRows(), d.testRows(), 7, d.threads()), List.of(DemoSkill.TRANSLIT, DemoSkill.REVERSE));
    }

    /**
     * Another skill mix: a base trained on more plain text and less of each skill, addition and reversal wanted,
     * the script expert a distractor; other seeds again.
     */
    static QualityZoo mix() {
        ZooSettings d = ZooSettings.demo();
        Map<DemoSkill, Double> mixture = new LinkedHashMap<>();
        mixture.put(DemoSkill.TEXT, 0.6);
        mixture.put(DemoSkill.ADD, 0.1);
        mixture.put(DemoSkill.TRANSLIT, 0.1);
        mixture.put(DemoSkill.REVERSE, 0.1);
        mixture.put(DemoSkill.ADD_LETTERS, 0.1);
        return new QualityZoo("mix", new ZooSettings(d.hidden(), d.layers(), d.heads(), d.intermediate(), d.vocab(),
                mixture, reseeded(d.base(), 31), d.experts(), reseeded(d.expert(), 32), d.replay(),
                d.searchRows(), d.testRows(), 31, d.threads()), List.of(DemoSkill.ADD, DemoSkill.REVERSE));
    }

    static List<QualityZoo> all() {
        return List.of(demo(), pair(), mix());
    }

    private static TrainingStage reseeded(TrainingStage s, long seed) {
        return new TrainingStage(s.steps(), s.scheduleSteps(), s.batch(), s.learningRate(), seed);
    }
}
