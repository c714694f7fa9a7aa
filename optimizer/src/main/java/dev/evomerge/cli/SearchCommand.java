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

    @Option(names = {"--limit", "--search-rows"}, defaultValue = "0",
            description = "at most N search rows per task a candidate is scored on (0: all, or the config's limit)")
    private int limit;

    @Option(names = "--task-search-path", paramLabel = "DIR",
            description = "folder of lm-evaluation-harness task files that the config's task names are looked up in (repeatable)")
    private java.util.List<Path> taskSearchPath = new java.util.ArrayList<>();

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "where lm-evaluation-harness tasks' hub datasets are (default: $EVOMERGE_DATA_DIR)")
    private Path dataDir;

    @Option(names = "--merge-cache-mb", paramLabel = "N", description = "MiB of merged tensors kept for candidates"
            + " that share layers (0: off; default: the config's evaluation.merge_cache_mb, else 1024)")
    private Long mergeCacheMb;

    // mergekit-evolve's runtime flags, accepted so that its command lines run; evomerge has one runtime.
    @Option(names = "--vllm", hidden = true)
    private boolean vllm;

    @Option(names = "--in-memory", hidden = true)
    private boolean inMemory;

    @Option(names = "--num-gpus", hidden = true, paramLabel = "N")
    private Integer numGpus;

    @Mixin
    private ClusterOptions clusterOptions;

    @Override
    public Integer call() throws IOException {
        if (vllm || inMemory || numGpus != null) {
            System.err.println("note: --vllm, --in-memory and --num-gpus are mergekit-evolve's; evomerge always merges"
                    + " in memory and scores with its own runtime on --device");
        }
        SearchConfig config = SearchConfig.load(configFile, taskSearchPath);
        RunSession session = new RunSession(config, Path.of("").toAbsolutePath(), deviceOptions.computeDevice(), limit)
                .withTaskLookup(dataDir, taskSearchPath);
        if (mergeCacheMb != null) {
            session = session.withMergeCacheMb(mergeCacheMb);
        }
        // Everything that can be wrong with the config is found before the run directory is made.
        RunSession.Prepared prepared = session.prepare();
        ClusterPlan cluster = ClusterPlan.forNewRun(clusterOptions.over(config.evaluation().cluster()));
        if (cluster.enabled()) {
            ClusterSession.check(cluster.settings(), prepared.device().used());
        }
        if (Files.exists(runDir)) {
            throw new IllegalArgumentException(runDir + ": already exists (resume it with 'evomerge resume "
                    + runDir + "' or choose another --run)");
        }
        RunDirectory run = RunDirectory.create(runDir, Files.readString(configFile));
        session.record(run, prepared.device(), cluster);
        return report(session.run(prepared, run, false, e -> e, cluster), runDir);
    }

    static int report(RunSession.Finished finished, Path runDir) {
        SearchLoop.Result result = finished.loop();
        System.out.printf("%d generations, %d evaluations (%d fresh); best fitness %.6g; stopped: %s%n",
                result.generations(), result.evaluations(), result.freshEvaluations(), result.bestFitness(),
                result.stopReason());
        System.out.println(finished.mergeCache().summary());
        if (result.bestGenes() == null) {
            System.out.println("no candidate was evaluated (stopped by " + result.stopReason()
                    + "), so no best recipe was written; raise search.generations or search.max_evaluations");
            return 1;
        }
        System.out.println("best recipe: " + runDir.resolve(RunDirectory.BEST_RECIPE)
                + " (export it with 'evomerge export " + runDir + " --out FILE.yaml')");
        return 0;
    }
}
