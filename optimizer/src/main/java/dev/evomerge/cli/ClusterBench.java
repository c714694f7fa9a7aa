package dev.evomerge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.optimizer.config.ClusterSettings;
import dev.evomerge.optimizer.config.SearchConfig;
import dev.evomerge.results.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The cluster's scaling: one search over generated checkpoints, scored by 1 and then by 2 local worker processes
 * (each as many torch threads as {@code -Dai.djl.pytorch.num_threads} says, 1 in {@code scripts/bench-cluster}).
 * The speed-up is the ratio of the two runs' wall times from the first candidate handed out to the end (worker
 * start-up left out); each worker's busy fraction is its own scoring time over that wall time; the search's
 * overhead per candidate is its process's CPU time (it scores nothing itself) and its wall time outside the
 * evaluator, both per candidate. The two runs must write the same history, which the benchmark checks.
 *
 * <p>A second speed-up counts only the generations after the first {@code --warm-generations}: a fresh worker JVM
 * keeps compiling code for its first hundred or so candidates, which one worker does on the idle core and two
 * workers take from each other; a search of hours is past that. {@code --repeats} alternates the 1- and 2-worker
 * runs and prints the median, since the machine's own speed drifts between runs.
 *
 * {@snippet :
 * // scripts/bench-cluster [--population 8] [--generations 4] [--layers 6] [--hidden 384] [--rows 48]
 * //                       [--max-workers 2] [--repeats 1] [--warm-generations 1]
 * //                       [--thread-cpu]   (where the search's and the workers' CPU went, by kind of thread)
 * }
 */
public final class ClusterBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double BUSY_TARGET = 0.9;

    private ClusterBench() {
    }

    /**
     * One run's figures. {@code warmSeconds} is the wall time from the end of the warm-up generations to the end, over
     * its {@code warmCandidates}.
     */
    private record Figures(int workers, double wallSeconds, long candidates, double warmSeconds, long warmCandidates,
            List<String> busy, double cpuMsPerCandidate, double loopMsPerCandidate, List<String> history) {

        double warmSecondsEach() {
            return warmSeconds / warmCandidates;
        }
    }

    /** The bench's settings, from its command line. */
    private record Settings(int population, int generations, int layers, int hidden, int rows, int maxWorkers,
            int repeats, int warmGenerations, boolean threadCpu) {

        static Settings parse(String[] args) {
            int[] v = {8, 4, 6, 384, 48, 2, 1, 1};
            List<String> names = List.of("--population", "--generations", "--layers", "--hidden", "--rows",
                    "--max-workers", "--repeats", "--warm-generations");
            boolean threadCpu = false;
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--thread-cpu")) {
                    threadCpu = true;
                } else if (names.contains(args[i]) && i + 1 < args.length) {
                    v[names.indexOf(args[i])] = Integer.parseInt(args[++i]);
                } else {
                    throw new IllegalArgumentException("unknown option " + args[i] + "; options: "
                            + String.join(" N, ", names) + " N, --thread-cpu");
                }
            }
            if (v[7] < 1 || v[7] >= v[1]) {
                throw new IllegalArgumentException("--warm-generations must be at least 1 and less than --generations ("
                        + v[1] + "), got " + v[7]);
            }
            return new Settings(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], threadCpu);
        }
    }

    public static void main(String[] args) throws IOException {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println("scripts/bench-cluster [--population N] [--generations N] [--layers N] [--hidden N]"
                    + " [--rows N] [--max-workers N] [--repeats N] [--warm-generations N] [--thread-cpu]");
            return;
        }
        Settings s = Settings.parse(args);
        Path dir = Files.createTempDirectory("evomerge-bench-cluster");
        try {
            BenchModels.write(dir, s.layers(), s.hidden(), s.rows(),
                    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen");
            Path config = dir.resolve("search.yaml");
            Files.writeString(config, """
                    genome:
                      models: [ft1, ft2, ft3]
                      merge_method: task_arithmetic
                      base_model: base
                      layer_granularity: 1
                    tasks:
                      - path: lm.yaml
                    search: {algorithm: cma-es, population: %d, generations: %d, seed: 1}
                    """.formatted(s.population(), s.generations()));
            System.out.printf(Locale.ROOT, "generated models: %d layers, hidden %d, task_arithmetic over 3 fine-tunes;"
                    + " %d rows; cma-es, population %d, %d generations; torch threads per worker: %s%n", s.layers(),
                    s.hidden(), s.rows(), s.population(), s.generations(),
                    System.getProperty("ai.djl.pytorch.num_threads", "(default)"));
            int warmFrom = s.warmGenerations() + 1;
            Map<Integer, List<double[]>> speedUps = new TreeMap<>();   // workers -> {whole run, warm} per repeat
            for (int r = 1; r <= s.repeats(); r++) {
                List<Figures> runs = new ArrayList<>();
                for (int w = 1; w <= s.maxWorkers(); w++) {
                    Figures f = measure(config, dir, dir.resolve("run-" + r + "-" + w), w, s.warmGenerations(),
                            s.threadCpu());
                    runs.add(f);
                    System.out.printf(Locale.ROOT, "%d worker%s: %d candidates in %.2f s (%.3f s each; from generation"
                            + " %d on %.3f s each); busy: %s; search: %.2f ms CPU and %.2f ms wall outside the"
                            + " evaluator per candidate%n", w, w == 1 ? "" : "s", f.candidates(), f.wallSeconds(),
                            f.wallSeconds() / f.candidates(), warmFrom, f.warmSecondsEach(),
                            String.join(", ", f.busy()), f.cpuMsPerCandidate(), f.loopMsPerCandidate());
                }
                Figures one = runs.getFirst();
                for (Figures f : runs.subList(1, runs.size())) {
                    double whole = one.wallSeconds() / f.wallSeconds();
                    double warm = one.warmSecondsEach() / f.warmSecondsEach();
                    speedUps.computeIfAbsent(f.workers(), k -> new ArrayList<>()).add(new double[] {whole, warm});
                    System.out.printf(Locale.ROOT, "speed-up, %d workers over 1: %.2fx (target >= %.1fx); from"
                            + " generation %d on: %.2fx%n", f.workers(), whole, 0.9 * f.workers(), warmFrom, warm);
                    System.out.println("same history as with 1 worker: "
                            + (f.history().equals(one.history()) ? "yes" : "NO"));
                }
            }
            if (s.repeats() > 1) {
                speedUps.forEach((w, pairs) -> System.out.printf(Locale.ROOT, "over %d alternated repeats, %d workers"
                        + " over 1: median %s; from generation %d on: median %s%n", s.repeats(), w,
                        medianOf(pairs, 0), warmFrom, medianOf(pairs, 1)));
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** "1.64x (1.62x, 1.64x, 1.64x)": the median of one column of the repeats' speed-ups, and each of them. */
    private static String medianOf(List<double[]> pairs, int column) {
        List<Double> xs = pairs.stream().map(p -> p[column]).toList();
        return String.format(Locale.ROOT, "%.2fx (%s)", median(xs), String.join(", ",
                xs.stream().map(x -> String.format(Locale.ROOT, "%.2fx", x)).toList()));
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = xs.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * A worker under {@value #BUSY_TARGET} busy waited for work the search should have given it: its log (and the
     * others') is copied out of the bench's folder, which is deleted at the end, and the copy's place is printed.
     */
    private static void keepLogsOfIdleWorkers(JsonNode stats, Path runDir) throws IOException {
        boolean idle = false;
        for (JsonNode w : stats.get("workers")) {
            idle |= w.get("busy_fraction").asDouble() < BUSY_TARGET;
        }
        Path logs = runDir.resolve("workers");
        if (!idle || !Files.isDirectory(logs)) {
            return;
        }
        Path kept = Files.createTempDirectory("evomerge-bench-cluster-logs");
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f : files.toList()) {
                Files.copy(f, kept.resolve(f.getFileName()));
            }
        }
        System.out.println("  a worker was under " + Math.round(100 * BUSY_TARGET) + "% busy; worker logs kept in "
                + kept);
    }

    private static Figures measure(Path configFile, Path workingDir, Path runDir, int workers, int warmGenerations,
            boolean threadCpu) throws IOException {
        SearchConfig config = SearchConfig.load(configFile);
        RunSession session = new RunSession(config, workingDir, ComputeDevice.CPU, 0);
        RunSession.Prepared prepared = session.prepare();
        RunDirectory run = RunDirectory.create(runDir, Files.readString(configFile));
        ClusterPlan plan = ClusterPlan.forNewRun(new ClusterSettings(List.of(), null, null, workers, false, 600, 0));
        session.record(run, prepared.device(), plan);
        long[] inside = {0};
        long[] firstCall = {0};
        long[] end = {0};
        List<long[]> generationEnds = new ArrayList<>();   // {end nanos, candidates so far}, one per generation
        List<ThreadCpu.Snapshot> readings = new ArrayList<>();   // at the first call, then after each generation
        session.run(prepared, run, false, evaluator -> recipes -> {
            long s = System.nanoTime();
            if (firstCall[0] == 0) {
                firstCall[0] = s;
                if (threadCpu) {
                    readings.add(ThreadCpu.Snapshot.take());
                }
            }
            try {
                return evaluator.evaluate(recipes);
            } finally {
                end[0] = System.nanoTime();
                inside[0] += end[0] - s;
                long before = generationEnds.isEmpty() ? 0 : generationEnds.getLast()[1];
                generationEnds.add(new long[] {end[0], before + recipes.size()});
                if (threadCpu) {
                    readings.add(ThreadCpu.Snapshot.take());   // the last is taken before the workers stop
                }
            }
        }, plan);
        JsonNode stats = JSON.readTree(runDir.resolve(ClusterSession.STATS).toFile());
        long candidates = stats.get("candidates").asLong();
        List<String> busy = new ArrayList<>();
        stats.get("workers").properties().forEach(e -> busy.add(String.format(Locale.ROOT, "%s %d candidates %.1f%%",
                e.getKey(), e.getValue().get("candidates").asLong(), 100 * e.getValue().get("busy_fraction").asDouble())));
        keepLogsOfIdleWorkers(stats, runDir);
        // Outside the evaluator: the loop's own work between the first and the last evaluator call.
        double outside = (end[0] - firstCall[0] - inside[0]) / 1e6 / candidates;
        int warmIndex = Math.min(warmGenerations, generationEnds.size()) - 1;
        long[] warm = generationEnds.get(warmIndex);
        long later = candidates - warm[1];
        if (threadCpu) {
            ThreadCpu.Snapshot first = readings.getFirst();
            ThreadCpu.Snapshot afterWarm = readings.get(warmIndex + 1);
            ThreadCpu.Snapshot last = readings.getLast();
            String from = "from generation " + (warmIndex + 2) + " on (" + later + " candidates)";
            System.out.println("  search, Java threads, ms per candidate: " + last.searchJava(first, candidates));
            System.out.println("  search, all threads, ms per candidate: " + last.searchSystem(first, candidates));
            System.out.println("  " + from + ", search, all threads: " + last.searchSystem(afterWarm, later));
            last.workers().keySet().forEach(pid -> System.out.println("  " + from + ", worker " + pid + ": "
                    + last.worker(afterWarm, pid, later)));
        }
        return new Figures(workers, stats.get("wall_seconds").asDouble(), candidates, (end[0] - warm[0]) / 1e9,
                later, busy, stats.get("search_cpu_ms_per_candidate").asDouble(), outside,
                ClusterSearchHistory.of(runDir));
    }
}
