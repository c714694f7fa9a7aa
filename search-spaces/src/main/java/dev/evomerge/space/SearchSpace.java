package dev.evomerge.space;

import dev.evomerge.recipe.MergeRecipe;
import io.jenetics.DoubleChromosome;
import io.jenetics.DoubleGene;
import io.jenetics.Genotype;
import io.jenetics.engine.Codec;
import java.util.List;

/**
 * A space of merge recipes addressed by real-valued genes: every gene vector inside the bounds decodes to one
 * recipe, and equal genes decode to equal recipes (same content hash). Strategies see genes; fitness code sees
 * recipes.
 *
 * {@snippet :
 * SearchSpace space = ...;
 * MergeRecipe recipe = space.decode(new double[space.dimension()]);
 * Codec<MergeRecipe, DoubleGene> codec = space.codec();   // for Jenetics engines
 * }
 */
public interface SearchSpace {

    /** Number of genes. */
    int dimension();

    /** What each gene means ("layers 0-3 / math / weight"), for logs, history and plots. */
    List<String> geneNames();

    /** Inclusive lower bound of gene {@code i}. */
    double lower(int i);

    /** Exclusive upper bound of gene {@code i}. */
    double upper(int i);

    /** The recipe these genes stand for; genes outside the bounds are clamped first. */
    MergeRecipe decode(double[] genes);

    /** The same space as a Jenetics codec: one {@link DoubleChromosome} of length 1 per gene. */
    default Codec<MergeRecipe, DoubleGene> codec() {
        int n = dimension();
        DoubleChromosome[] chromosomes = new DoubleChromosome[n];
        for (int i = 0; i < n; i++) {
            chromosomes[i] = DoubleChromosome.of(lower(i), upper(i));
        }
        return Codec.of(Genotype.of(List.of(chromosomes)), gt -> {
            double[] genes = new double[n];
            for (int i = 0; i < n; i++) {
                genes[i] = gt.get(i).gene().doubleValue();
            }
            return decode(genes);
        });
    }
}
