package dev.evomerge.cli;

import dev.evomerge.optimizer.config.SearchConfig;
import dev.evomerge.optimizer.run.SearchLoop;
import dev.evomerge.results.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code evomerge search CONFIG.yaml --run DIR}: evolves merge recipes, checkpointing every generation. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Evolve merge recipes (search split only); resume with 'evomerge resume DIR'.")
final class SearchCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CONFIG.yaml")
    private Path configFile;

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "run directory (must not exist)")
    private Path runDir;

    @Mixin
    private DeviceOptions deviceOptions;

    @Option(names = "--limit", defaultValue = "0", description = "at most N rows per task (0: all), for quick tries")
    private int limit;

    @Option(names = "--merge-cache-mb", paramLabel = "N", description = "MiB of merged tensors kept for candidates"
            + " that share layers (0: off; default: the config's evaluation.merge_cache_mb, else 1024)")
    private Long mergeCacheMb;

    @Mixin
    private ClusterOptions clusterOptions;

    @Override
    public Integer call() throws IOException {
        SearchConfig config = SearchConfig.load(configFile);
        RunSession session = new RunSession(config, Path.of("").toAbsolutePath(), deviceOptions.computeDevice(), limit);
        if (mergeCacheMb != null) {
            session = session.withMergeCacheMb(mergeCacheMb);
        }
        // Everything that can be wrong with the config is found before the run directory is made.
        RunSession.Prepared prepared = session.prepare();
        ClusterPlan cluster = ClusterPlan.forNewRun(clusterOptions.over(config.evaluation().cluster()));
        if (cluster.enabled()) {
            ClusterSession.check(cluster.settings());
        }
        if (Files.exists(runDir)) {
            throw new IllegalArgumentException(runDir + ": already exists (resume it with 'evomerge resume "
                    + runDir + "' or choose another --run)");
        }
        RunDirectory run = RunDirectory.create(runDir, Files.readString(configFile));
        session.record(run, cluster);
        return report(session.run(prepared, run, false, e -> e, cluster), runDir);
    }

    static int report(RunSession.Finished finished, Path runDir) {
        SearchLoop.Result result = finished.loop();
        System.out.printf("%d generations, %d evaluations (%d fresh); best fitness %.6g; stopped: %s%n",
                result.generations(), result.evaluations(), result.freshEvaluations(), result.bestFitness(),
                result.stopReason());
        System.out.println(finished.mergeCache().summary());
        System.out.println("best recipe: " + runDir.resolve(RunDirectory.BEST_RECIPE)
                + " (export it with 'evomerge export " + runDir + " --out FILE.yaml')");
        return 0;
    }
}
