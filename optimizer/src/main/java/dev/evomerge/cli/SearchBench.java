package dev.evomerge.cli;

import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.optimizer.config.SearchConfig;
import dev.evomerge.optimizer.run.SearchLoop;
import dev.evomerge.results.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The search loop's overhead: a real search (config parsing aside) over tiny generated checkpoints, where the
 * time inside the evaluator (merge in memory + model runs on the tasks' search split) is set against the
 * loop's whole wall time. Everything else (decoding genes to recipes, hashing, the fitness cache, history,
 * checkpoints with fsync, Pareto set, strategy, logging) is overhead. One warm-up search runs first so the
 * JIT has compiled the merge kernels and the loop. The measured search runs twice, without and with the
 * merged-tensor cache, so the time per candidate can be set against the cache's hit rate.
 *
 * {@snippet :
 * // scripts/bench-search [--algorithm ga] [--population 16] [--generations 12] [--layers 4] [--hidden 64]
 * //                      [--combined] [--merge-cache-mb 1024]
 * }
 */
public final class SearchBench {

    private SearchBench() {
    }

    public static void main(String[] args) throws IOException {
        String algorithm = "ga";
        int population = 16;
        int generations = 12;
        int layers = 4;
        int hidden = 64;
        boolean combined = false;
        long cacheMb = 1024;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--algorithm" -> algorithm = args[++i];
                case "--population" -> population = Integer.parseInt(args[++i]);
                case "--generations" -> generations = Integer.parseInt(args[++i]);
                case "--layers" -> layers = Integer.parseInt(args[++i]);
                case "--hidden" -> hidden = Integer.parseInt(args[++i]);
                case "--combined" -> combined = true;
                case "--merge-cache-mb" -> cacheMb = Long.parseLong(args[++i]);
                case "--help", "-h" -> {
                    System.out.println("scripts/bench-search [--algorithm ga|cma-es|nsga2|m2n2] [--population N]"
                            + " [--generations N] [--layers N] [--hidden N] [--combined] [--merge-cache-mb N]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("evomerge-bench-search");
        try {
            BenchModels.write(dir, layers, hidden, 8, "one two three four five six seven");
            String routing = combined ? "layer_routing: {models: [merged, ft1], repeats: 1}\n" : "";
            String text = """
                    genome:
                      models: [ft1, ft2, ft3]
                      merge_method: task_arithmetic
                      base_model: base
                      layer_granularity: 1
                    %stasks:
                      - path: lm.yaml
                    search: {algorithm: %s, population: %d, generations: %d, seed: 1}
                    """.formatted(routing, algorithm, population, generations);
            Path config = dir.resolve("search.yaml");
            Files.writeString(config, text);
            System.out.printf(Locale.ROOT, "tiny models: %d layers, hidden %d, task_arithmetic over 3 fine-tunes%s; %s, population %d,"
                    + " %d generations%n", layers, hidden, combined ? ", routed with ft1" : "", algorithm, population,
                    generations);
            measure(config, dir, dir.resolve("warmup"), "warm-up", cacheMb);
            measure(config, dir, dir.resolve("run-nocache"), "measured, merge cache off", 0);
            measure(config, dir, dir.resolve("run"), "measured, merge cache " + cacheMb + " MiB", cacheMb);
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void measure(Path configFile, Path workingDir, Path runDir, String label, long cacheMb)
            throws IOException {
        SearchConfig config = SearchConfig.load(configFile);
        RunSession session = new RunSession(config, workingDir, ComputeDevice.CPU, 0, cacheMb);
        RunSession.Prepared prepared = session.prepare();
        RunDirectory run = RunDirectory.create(runDir, Files.readString(configFile));
        session.record(run, prepared.device());
        long[] inside = {0};
        long t0 = System.nanoTime();
        RunSession.Finished finished = session.run(prepared, run, false, evaluator -> recipes -> {
            long s = System.nanoTime();
            try {
                return evaluator.evaluate(recipes);
            } finally {
                inside[0] += System.nanoTime() - s;
            }
        });
        long total = System.nanoTime() - t0;
        SearchLoop.Result r = finished.loop();
        long overhead = total - inside[0];
        System.out.printf(Locale.ROOT, "%s: %d candidates (%d merged and evaluated), loop %.2f s, merge+evaluate %.2f s"
                        + " (%.1f ms per fresh candidate), overhead %.3f s (%.2f ms per candidate) = %.2f%% of merge+evaluate%n",
                label, r.evaluations(), r.freshEvaluations(), total / 1e9, inside[0] / 1e9,
                inside[0] / 1e6 / Math.max(1, r.freshEvaluations()), overhead / 1e9,
                overhead / 1e6 / Math.max(1, r.evaluations()), 100.0 * overhead / inside[0]);
        System.out.println("  " + finished.mergeCache().summary());
    }
}
