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

    /**
     * The demo's recipe from other seeds, its base snapshot taken a little later (step 2500 of 3000), so that,
     * as in the demo, it holds part of each skill for the experts to build on.
     */
    static QualityZoo reseeded() {
        ZooSettings d = ZooSettings.demo();
        return new QualityZoo("reseeded", new ZooSettings(d.hidden(), d.layers(), d.heads(), d.intermediate(),
                d.vocab(), d.baseMixture(), new TrainingStage(2500, 3000, 32, 3e-3, 21), d.experts(),
                reseeded(d.expert(), 22), d.replay(), d.searchRows(), d.testRows(), 7, d.threads()),
                DemoPlan.MULTI_SKILL);
    }

    /**
     * Light fine-tunes: experts trained for 400 steps instead of 1000, so they forget less of what the base knew,
     * from a base of other seeds (snapshot at step 2500 of 3000).
     */
    static QualityZoo lightExperts() {
        ZooSettings d = ZooSettings.demo();
        return new QualityZoo("light-experts", new ZooSettings(d.hidden(), d.layers(), d.heads(), d.intermediate(),
                d.vocab(), d.baseMixture(), new TrainingStage(2500, 3000, 32, 3e-3, 51), d.experts(),
                new TrainingStage(400, 32, 5e-4, 52), d.replay(), d.searchRows(), d.testRows(), 53, d.threads()),
                DemoPlan.MULTI_SKILL);
    }

    static List<QualityZoo> all() {
        return List.of(demo(), pair(), mix(), reseeded(), lightExperts());
    }

    private static TrainingStage reseeded(TrainingStage s, long seed) {
        return new TrainingStage(s.steps(), s.scheduleSteps(), s.batch(), s.learningRate(), seed);
    }
}
