package dev.evomerge.optimizer.strategy;

import io.jenetics.DoubleChromosome;
import io.jenetics.DoubleGene;
import io.jenetics.Phenotype;
import io.jenetics.util.ISeq;
import io.jenetics.util.Seq;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Scores, in one batch, the members of a Jenetics population that have no fitness yet: the engines call
 * their evaluator with the whole population, while a candidate (a merge and a model run) is worth batching.
 *
 * {@snippet :
 * PendingPhenotypes.Scored<Double> s = PendingPhenotypes.score(population, evaluator::evaluate, BatchEvaluator::fitness);
 * }
 */
final class PendingPhenotypes {

    private PendingPhenotypes() {
    }

    /** The population with every member scored, and how many needed it. */
    record Scored<C extends Comparable<? super C>>(ISeq<Phenotype<DoubleGene, C>> population, int evaluated) {
    }

    static <C extends Comparable<? super C>> Scored<C> score(Seq<Phenotype<DoubleGene, C>> phenotypes,
                                                              Function<List<double[]>, double[][]> evaluator,
                                                              Function<double[], C> fitness) {
        List<Integer> todo = new ArrayList<>();
        List<double[]> genomes = new ArrayList<>();
        for (int i = 0; i < phenotypes.size(); i++) {
            if (!phenotypes.get(i).isEvaluated()) {
                todo.add(i);
                genomes.add(genes(phenotypes.get(i)));
            }
        }
        if (todo.isEmpty()) {
            return new Scored<>(ISeq.of(phenotypes), 0);
        }
        double[][] rows = evaluator.apply(genomes);
        if (rows.length != genomes.size()) {
            throw new IllegalStateException("evaluator returned " + rows.length + " rows for " + genomes.size() + " genomes");
        }
        List<Phenotype<DoubleGene, C>> out = new ArrayList<>(phenotypes.asList());
        for (int k = 0; k < todo.size(); k++) {
            out.set(todo.get(k), out.get(todo.get(k)).withFitness(fitness.apply(rows[k])));
        }
        return new Scored<>(ISeq.of(out), todo.size());
    }

    static double[] genes(Phenotype<DoubleGene, ?> p) {
        return p.genotype().chromosome().as(DoubleChromosome.class).toArray();
    }
}
