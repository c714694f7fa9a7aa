package dev.evomerge.optimizer.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * M2N2, model merging with natural niches (Abrantes, Lange and Tang 2025, "Competition and Attraction
 * Improve Model Fusion"), over real-valued genomes, as an ask/tell core.
 * <ul>
 *   <li>The archive holds up to {@code archiveSize} members with their per-example scores s_ij.</li>
 *   <li>Resource competition: f_ij = s_ij / (sum_k s_kj)^alpha ({@link Competition}).</li>
 *   <li>Parent A is drawn proportional to total shared fitness; parent B proportional to the
 *       attraction g(B|A) = sum_j max(0, f_Bj - f_Aj), falling back to fitness when A is attracted to
 *       nobody (or when attraction is off).</li>
 *   <li>Crossover: a split index drawn uniformly over the genome order, a ratio w ~ U(0, 1) used before
 *       it and 1 - w from it on, linear or SLERP mixing; then optional Gaussian mutation.</li>
 *   <li>A child joins a non-full archive; otherwise it replaces the member with the lowest shared
 *       fitness (computed with the child included), unless the child is itself the lowest.</li>
 * </ul>
 * The first ask returns the seeds; each later ask returns {@code childrenPerGeneration} children
 * drawn from the same archive, inserted one after another by tell (1 child = the paper's steady state).
 *
 * {@snippet :
 * M2n2 m = M2n2.of(M2n2Config.paper(), List.of(seedA, seedB), 42);
 * while (m.evaluations() < 10_000) {
 *   List<double[]> xs = m.ask();
 *   m.tell(xs, evaluator.evaluate(xs));     // per-example scores, e.g. 0/1 per image
 * }
 * double[] best = m.best().genome();
 * }
 */
public final class M2n2 implements AskTellStrategy<M2n2State> {
    private final M2n2Config config;
    private final int n;
    private final List<double[]> genomes;
    private final List<double[]> scores;
    private final List<double[]> pendingSeeds;
    private long generation;
    private long evaluations;
    private final Rng rng;

    private M2n2(M2n2Config config, M2n2State s) {
        this.config = Objects.requireNonNull(config, "config");
        this.genomes = new ArrayList<>();
        this.scores = new ArrayList<>();
        for (int i = 0; i < s.genomes().size(); i++) {
            genomes.add(s.genomes().get(i).clone());
            scores.add(s.scores().get(i).clone());
        }
        this.pendingSeeds = new ArrayList<>();
        for (double[] g : s.pendingSeeds()) {
            pendingSeeds.add(g.clone());
        }
        if (genomes.size() > config.archiveSize()) {
            throw new IllegalArgumentException("M2N2 state holds " + genomes.size() + " members, archive size is " + config.archiveSize());
        }
        List<double[]> all = new ArrayList<>(genomes);
        all.addAll(pendingSeeds);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("M2N2 needs at least one seed genome");
        }
        this.n = all.getFirst().length;
        for (double[] g : all) {
            if (g.length != n) {
                throw new IllegalArgumentException("M2N2 genomes differ in length: " + g.length + " vs " + n);
            }
        }
        this.generation = s.generation();
        this.evaluations = s.evaluations();
        this.rng = Rng.restore(s.rng());
    }

    /** A run that first evaluates {@code seeds} (e.g. two random or two pretrained models). */
    public static M2n2 of(M2n2Config config, List<double[]> seeds, long seed) {
        return new M2n2(config, new M2n2State(List.of(), List.of(), seeds, 0, 0, Rng.seeded(seed).state()));
    }

    /** Continues from a {@link #state()} snapshot. */
    public static M2n2 restore(M2n2Config config, M2n2State state) {
        return new M2n2(config, Objects.requireNonNull(state, "state"));
    }

    public M2n2Config config() {
        return config;
    }

    @Override
    public String name() {
        return "m2n2";
    }

    @Override
    public int dimension() {
        return n;
    }

    @Override
    public List<double[]> ask() {
        if (!pendingSeeds.isEmpty()) {
            List<double[]> out = new ArrayList<>();
            for (double[] g : pendingSeeds) {
                out.add(g.clone());
            }
            return out;
        }
        double[][] shared = Competition.sharedFitness(scores.toArray(double[][]::new), config.alpha());
        double[] total = Competition.totalFitness(shared);
        List<double[]> out = new ArrayList<>(config.childrenPerGeneration());
        for (int k = 0; k < config.childrenPerGeneration(); k++) {
            out.add(child(shared, total));
        }
        return out;
    }

    private double[] child(double[][] shared, double[] total) {
        int a = Competition.draw(rng, total);
        int b;
        if (config.attraction()) {
            double[] g = Competition.attraction(shared, a);
            b = Competition.draw(rng, sum(g) > 0 ? g : total);
        } else {
            b = Competition.draw(rng, total);
        }
        double[] child;
        if (config.crossover()) {
            int split = config.splitPoint() ? rng.nextInt(n) : n;
            double w = rng.nextDouble();
            child = mix(genomes.get(a), genomes.get(b), w, split, config.interpolation());
        } else {
            child = genomes.get(a).clone();
        }
        double sigma = config.mutationSigma();
        if (sigma > 0) {
            for (int i = 0; i < n; i++) {
                child[i] += sigma * rng.nextGaussian();
            }
        }
        return child;
    }

    /**
     * Mixes x and y with ratio {@code w} for genes before {@code split} and {@code 1 - w} from it on:
     * the result is (1 - t) x + t y (linear) or its spherical counterpart, t being the ratio for that gene.
     * SLERP falls back to linear when the vectors are (anti)parallel or zero.
     */
    public static double[] mix(double[] x, double[] y, double w, int split, M2n2Config.Interpolation how) {
        int n = x.length;
        double[] out = new double[n];
        double ax = 1 - w, ay = w;           // genes before the split
        double bx = w, by = 1 - w;           // genes from the split on
        if (how == M2n2Config.Interpolation.SLERP) {
            double nx = 0, ny = 0, dot = 0;
            for (int i = 0; i < n; i++) {
                nx += x[i] * x[i];
                ny += y[i] * y[i];
                dot += x[i] * y[i];
            }
            if (nx > 0 && ny > 0) {
                double cos = Math.max(-1, Math.min(1, dot / Math.sqrt(nx * ny)));
                double omega = Math.acos(cos);
                double sin = Math.sin(omega);
                if (sin > 1e-6) {
                    ax = Math.sin((1 - w) * omega) / sin;
                    ay = Math.sin(w * omega) / sin;
                    bx = Math.sin(w * omega) / sin;
                    by = Math.sin((1 - w) * omega) / sin;
                }
            }
        }
        int s = Math.min(split, n);
        for (int i = 0; i < s; i++) {
            out[i] = ax * x[i] + ay * y[i];
        }
        for (int i = s; i < n; i++) {
            out[i] = bx * x[i] + by * y[i];
        }
        return out;
    }

    @Override
    public void tell(List<double[]> asked, double[][] rows) {
        if (asked.size() != rows.length) {
            throw new IllegalArgumentException("M2N2 got " + asked.size() + " genomes but " + rows.length + " score rows");
        }
        if (!pendingSeeds.isEmpty() && asked.size() != pendingSeeds.size()) {
            throw new IllegalArgumentException("M2N2 expected scores for its " + pendingSeeds.size() + " seeds");
        }
        pendingSeeds.clear();
        for (int k = 0; k < rows.length; k++) {
            if (asked.get(k).length != n) {
                throw new IllegalArgumentException("genome " + k + " has length " + asked.get(k).length + ", expected " + n);
            }
            if (!scores.isEmpty() && rows[k].length != scores.getFirst().length) {
                throw new IllegalArgumentException("score row " + k + " has " + rows[k].length + " examples, archive has " + scores.getFirst().length);
            }
            insert(asked.get(k).clone(), rows[k].clone());
        }
        generation++;
        evaluations += rows.length;
    }

    private void insert(double[] genome, double[] row) {
        if (genomes.size() < config.archiveSize()) {
            genomes.add(genome);
            scores.add(row);
            return;
        }
        double[][] ext = new double[scores.size() + 1][];
        for (int i = 0; i < scores.size(); i++) {
            ext[i] = scores.get(i);
        }
        ext[scores.size()] = row;
        double[] total = Competition.totalFitness(Competition.sharedFitness(ext, config.alpha()));
        int worst = 0;
        for (int i = 1; i < total.length; i++) {
            if (total[i] < total[worst]) {
                worst = i;
            }
        }
        if (worst < genomes.size()) {
            genomes.set(worst, genome);
            scores.set(worst, row);
        }
    }

    @Override
    public List<Candidate> population() {
        List<Candidate> out = new ArrayList<>(genomes.size());
        for (int i = 0; i < genomes.size(); i++) {
            out.add(Candidate.of(genomes.get(i), scores.get(i)));
        }
        return List.copyOf(out);
    }

    /** The archive member with the highest mean score (first on ties), as the paper reports. */
    @Override
    public Candidate best() {
        if (genomes.isEmpty()) {
            throw new IllegalStateException("M2N2 archive is empty: evaluate the seeds first");
        }
        int best = 0;
        double bestFit = BatchEvaluator.fitness(scores.getFirst());
        for (int i = 1; i < genomes.size(); i++) {
            double f = BatchEvaluator.fitness(scores.get(i));
            if (f > bestFit) {
                best = i;
                bestFit = f;
            }
        }
        return new Candidate(genomes.get(best), scores.get(best), bestFit);
    }

    @Override
    public long generation() {
        return generation;
    }

    @Override
    public long evaluations() {
        return evaluations;
    }

    @Override
    public M2n2State state() {
        List<double[]> g = new ArrayList<>();
        List<double[]> s = new ArrayList<>();
        for (int i = 0; i < genomes.size(); i++) {
            g.add(genomes.get(i).clone());
            s.add(scores.get(i).clone());
        }
        List<double[]> p = new ArrayList<>();
        for (double[] x : pendingSeeds) {
            p.add(x.clone());
        }
        return new M2n2State(g, s, p, generation, evaluations, rng.state());
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }
}
