package dev.evomerge.space;

import dev.evomerge.merge.Gene;
import dev.evomerge.merge.ParameterSpec;
import dev.evomerge.merge.SearchGenes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * The points of a {@link ParameterSpace} a user would try by hand before searching, as genes: the base alone,
 * each model alone, the method's default merge (weight 1 everywhere, every other parameter at the method's
 * default, every model taking part) and the plain average (weight 1/n for n models). Points the method cannot
 * express are left out (the base or a model alone where the method has no per-model weight), and points that
 * decode to the same recipe appear once.
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
        boolean weighted = space.method().searchGenes().selection() instanceof SearchGenes.Selection.Every
                && space.modelGenes().stream().anyMatch(g -> g.name().equals("weight"));
        if (weighted) {
            if (genome.baseModel() != null && !genome.models().contains(genome.baseModel())
                    && space.method().searchGenes().base() == SearchGenes.BaseUse.REQUIRED) {
                points.put("base", fill(space, m -> 0.0));
            }
            for (int k = 0; k < n; k++) {
                int only = k;
                points.put(genome.models().get(k), fill(space, m -> m == only ? 1.0 : 0.0));
            }
        }
        points.put("default merge", fill(space, m -> 1.0));
        points.put("average", fill(space, m -> 1.0 / n));
        return dedupe(space, points);
    }

    /**
     * The genes with every weight of model {@code m} at {@code weight.apply(m)}, every selection score at 1 (all
     * models take part; the first ones where fewer are merged) and every other gene at the method's default.
     */
    private static double[] fill(ParameterSpace space, IntToDoubleFunction weight) {
        GenomeDefinition genome = space.genome();
        double[] x = new double[space.dimension()];
        int models = genome.models().size();
        int sets = genome.filters().size() + 1;
        int groups = space.groups() + (space.embeddingGroup() >= 0 ? 2 : 0);
        List<Gene> perModel = space.modelGenes();
        for (int g = 0; g < groups; g++) {
            for (int m = 0; m < models; m++) {
                for (int s = 0; s < sets; s++) {
                    for (int p = 0; p < perModel.size(); p++) {
                        int i = space.geneIndex(g, m, s, p);
                        Gene gene = perModel.get(p);
                        double v = gene.kind() == Gene.Kind.SCORE ? 1.0
                                : gene.name().equals("weight") ? weight.applyAsDouble(m) : defaultValue(space, gene, i);
                        x[i] = Math.clamp(v, space.lower(i), space.upper(i));
                    }
                }
            }
        }
        List<Gene> perGroup = space.groupGenes();
        for (int g = 0; g < space.groups(); g++) {
            for (int s = 0; s < sets; s++) {
                for (int p = 0; p < perGroup.size(); p++) {
                    int i = space.groupGeneIndex(g, s, p);
                    x[i] = Math.clamp(defaultValue(space, perGroup.get(p), i), space.lower(i), space.upper(i));
                }
            }
        }
        return x;
    }

    /** The method's default for the gene's parameter; the middle of its range where the method has none. */
    private static double defaultValue(ParameterSpace space, Gene gene, int index) {
        for (ParameterSpec spec : space.method().parameters()) {
            if (spec.name().equals(gene.name()) && spec.defaultValue() instanceof Double d) {
                return d;
            }
        }
        return (space.lower(index) + space.upper(index)) / 2;
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
