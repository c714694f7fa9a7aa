package dev.evomerge.space;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The points of a {@link ParameterSpace} a user would try by hand before searching, as genes: the base alone,
 * each model alone, the method's default merge (weight 1 everywhere, density 1 as in mergekit) and the plain
 * average (weight 1/n for n models). Points the method cannot express are left out (the base alone without a
 * base model, a model alone under slerp), and points that decode to the same recipe appear once.
 *
 * {@snippet :
 * Map<String, double[]> points = SeedPoints.of(space);   // {"base": [...], "math": [...], "default merge": ...}
 * }
 */
public final class SeedPoints {

    private SeedPoints() {
    }

    /** Named seed points, in the order above. */
    public static Map<String, double[]> of(ParameterSpace space) {
        GenomeDefinition genome = space.genome();
        int n = genome.models().size();
        Map<String, double[]> points = new LinkedHashMap<>();
        if (genome.mergeMethod().equals("slerp")) {
            // equal scores: the first two models, halfway (t = 0.5)
            points.put("average", fill(space, m -> 0.5));
            return dedupe(space, points);
        }
        if (genome.baseModel() != null && !genome.models().contains(genome.baseModel())
                && GenomeDefinition.needsBaseModel(genome.mergeMethod())) {
            points.put("base", fill(space, m -> 0.0));
        }
        for (int k = 0; k < n; k++) {
            int only = k;
            points.put(genome.models().get(k), fill(space, m -> m == only ? 1.0 : 0.0));
        }
        points.put("default merge", fill(space, m -> 1.0));
        points.put("average", fill(space, m -> 1.0 / n));
        return dedupe(space, points);
    }

    /** The genes with every weight of model {@code m} set to {@code weight.apply(m)}, densities at 1. */
    private static double[] fill(ParameterSpace space, java.util.function.IntToDoubleFunction weight) {
        GenomeDefinition genome = space.genome();
        List<String> params = genome.geneParameters();
        double[] x = new double[space.dimension()];
        int models = genome.models().size();
        int sets = genome.filters().size() + 1;
        int groups = space.groups() + (space.embeddingGroup() >= 0 ? 2 : 0);
        for (int g = 0; g < groups; g++) {
            for (int m = 0; m < models; m++) {
                for (int s = 0; s < sets; s++) {
                    for (int p = 0; p < params.size(); p++) {
                        int i = space.geneIndex(g, m, s, p);
                        double v = p == 0 ? weight.applyAsDouble(m) : 1.0;
                        x[i] = Math.clamp(v, space.lower(i), space.upper(i));
                    }
                }
            }
        }
        return x;
    }

    private static Map<String, double[]> dedupe(ParameterSpace space, Map<String, double[]> points) {
        Map<String, double[]> out = new LinkedHashMap<>();
        List<String> seen = new ArrayList<>();
        points.forEach((name, genes) -> {
            String hash = space.decode(genes).contentHash();
            if (!seen.contains(hash)) {
                seen.add(hash);
                out.put(name, genes);
            }
        });
        return out;
    }
}
