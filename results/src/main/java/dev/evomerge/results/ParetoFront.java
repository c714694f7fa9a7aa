package dev.evomerge.results;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The non-dominated candidates of a multi-objective run, all objectives maximised. An objective is a key
 * of {@link HistoryRecord#scores()} (a task, or e.g. a negated path length the evaluator adds) or
 * {@code fitness}. A candidate enters if no member dominates it and pushes out the members it
 * dominates; a recipe already in the front is not added twice. Order is order of arrival, so a front
 * rebuilt from the history equals the one kept during the run.
 *
 * {@snippet :
 * ParetoFront front = new ParetoFront(List.of("math", "code"));
 * run.history().forEach(front::offer);
 * run.writePareto(front.snapshot());
 * }
 */
public final class ParetoFront {

    /**
     * A member as written to {@code pareto.json}.
     *
     * @param recipeHash the recipe
     * @param generation generation that first evaluated it
     * @param genes its genes
     * @param objectives its objective values, in objective order
     * @param scores all its task scores
     */
    public record Member(@JsonProperty("recipe_hash") String recipeHash, long generation, double[] genes,
            double[] objectives, Map<String, Double> scores) {}

    /** The contents of {@code pareto.json}. */
    public record Snapshot(List<String> objectives, List<Member> members) {}

    private final List<String> objectives;
    private final List<Member> members = new ArrayList<>();

    public ParetoFront(List<String> objectives) {
        this.objectives = List.copyOf(objectives);
        if (this.objectives.isEmpty()) {
            throw new IllegalArgumentException("a Pareto front needs at least one objective");
        }
    }

    /** Offers a candidate; returns whether it joined the front. */
    public boolean offer(HistoryRecord r) {
        double[] v = new double[objectives.size()];
        for (int i = 0; i < v.length; i++) {
            String o = objectives.get(i);
            Double x = o.equals("fitness") ? Double.valueOf(r.fitness()) : r.scores().get(o);
            if (x == null) {
                throw new IllegalArgumentException("objective '" + o + "' is not among the scores " + r.scores().keySet()
                        + " of recipe " + r.recipeHash());
            }
            v[i] = x;
        }
        for (Member m : members) {
            if (m.recipeHash().equals(r.recipeHash()) || dominates(m.objectives(), v)) {
                return false;
            }
        }
        members.removeIf(m -> dominates(v, m.objectives()));
        members.add(new Member(r.recipeHash(), r.generation(), r.genes().clone(), v, r.scores()));
        return true;
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    public Snapshot snapshot() {
        return new Snapshot(objectives, members());
    }

    /** a is at least as good everywhere and better somewhere; an equal vector does not dominate. */
    static boolean dominates(double[] a, double[] b) {
        Objects.requireNonNull(a);
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] < b[i]) {
                return false;
            }
            better |= a[i] > b[i];
        }
        return better;
    }
}
