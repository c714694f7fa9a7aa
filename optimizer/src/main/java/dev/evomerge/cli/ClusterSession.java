package dev.evomerge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.core.HazelcastInstance;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.runtime.Gpus;
import dev.evomerge.optimizer.cluster.CandidateJob;
import dev.evomerge.optimizer.cluster.CandidateTimeout;
import dev.evomerge.optimizer.cluster.ClusterEvaluator;
import dev.evomerge.optimizer.cluster.ClusterMember;
import dev.evomerge.optimizer.cluster.ClusterSecret;
import dev.evomerge.optimizer.cluster.ClusterWorker;
import dev.evomerge.optimizer.cluster.PayloadSigner;
import dev.evomerge.optimizer.cluster.WorkerShares;
import dev.evomerge.optimizer.config.ClusterSettings;
import dev.evomerge.eval.harness.HarnessTask;
import dev.evomerge.optimizer.config.TaskRef;
import dev.evomerge.optimizer.run.CandidateScores;
import dev.evomerge.optimizer.run.RecipeEvaluator;
import dev.evomerge.recipe.LayerStep;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.results.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A search's session on a cluster: its own (lite) member, the worker processes it started, a worker in its own
 * process when asked, and the evaluator that hands candidates to them. Closing it stops what it started; workers
 * the user started keep running for the next search or a resume. The session's figures (each worker's share and
 * busy fraction, the search's own CPU per candidate) go to {@code DIR/cluster.json}.
 *
 * {@snippet :
 * try (ClusterSession cluster = ClusterSession.start(settings, runId, device, 1024, runDir, System.err::println)) {
 *     RecipeEvaluator evaluator = cluster.evaluator(config.tasks(), name -> null, 0, workingDir);
 * }
 * }
 */
final class ClusterSession implements AutoCloseable {

    static final String STATS = "cluster.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HazelcastInstance hz;
    private final LocalWorkers localWorkers;
    private final ClusterWorker localWorker;
    private final Thread localThread;
    private final WorkerScoring localScoring;
    private final ClusterEvaluator evaluator;
    private long candidates;

    private ClusterSession(HazelcastInstance hz, LocalWorkers localWorkers, ClusterWorker localWorker,
            Thread localThread, WorkerScoring localScoring, ClusterEvaluator evaluator) {
        this.hz = hz;
        this.localWorkers = localWorkers;
        this.localWorker = localWorker;
        this.localThread = localThread;
        this.localScoring = localScoring;
        this.evaluator = evaluator;
    }

    /**
     * Finds what would stop the session from starting (an unreadable or too open secret file, a bind address that
     * does not resolve or needs a secret), before a run directory is made.
     */
    static void check(ClusterSettings settings, ComputeDevice device) {
        LocalWorkers.devices(device, settings.workers(), Gpus.pytorch());
        ClusterSecret secret = ClusterSecret.resolve(settings.secretFile(), System.getenv());
        ClusterMember.Bind bind = settings.bind() != null ? ClusterMember.Bind.parse(settings.bind(), "--bind")
                : ClusterMember.defaultBind(settings.members());
        ClusterMember.checkBind(bind, secret);
    }

    /** Joins (or forms) the cluster and starts the local workers the settings ask for. */
    static ClusterSession start(ClusterSettings settings, String runId, ComputeDevice device, long mergeCacheMb,
            Path runDir, Consumer<String> log) {
        ClusterSecret secret = ClusterSecret.resolve(settings.secretFile(), System.getenv());
        ClusterMember.Bind bind = settings.bind() != null ? ClusterMember.Bind.parse(settings.bind(), "--bind")
                : ClusterMember.defaultBind(settings.members());
        ClusterMember.Role role = settings.localWorker() ? ClusterMember.Role.WORKER : ClusterMember.Role.SEARCH;
        HazelcastInstance hz = ClusterMember.start(role, settings.members(), bind, secret);
        LocalWorkers workers = null;
        ClusterWorker local = null;
        Thread localThread = null;
        WorkerScoring scoring = null;
        try {
            String self = ClusterMember.address(hz.getCluster().getLocalMember());
            PayloadSigner signer = new PayloadSigner(secret);
            if (settings.workers() > 0) {
                List<String> members = new ArrayList<>(List.of(self));
                members.addAll(settings.members());
                List<String> args = new ArrayList<>(List.of("--merge-cache-mb", String.valueOf(mergeCacheMb)));
                if (settings.secretFile() != null) {
                    args.addAll(List.of("--secret-file", settings.secretFile().toString()));
                }
                List<ComputeDevice> devices = LocalWorkers.devices(device, settings.workers(), Gpus.pytorch());
                workers = LocalWorkers.start(devices, bind.host(), members, args, runDir.resolve("workers"));
                log.accept("cluster: started " + settings.workers() + " local workers at " + String.join(", ",
                        workers.addresses()) + " on " + String.join(", ", devices.stream().map(ComputeDevice::label)
                        .distinct().toList()) + " (logs in " + runDir.resolve("workers") + ")");
            }
            if (settings.localWorker()) {
                scoring = new WorkerScoring(device, mergeCacheMb, null);
                local = new ClusterWorker(hz, signer, scoring, line -> log.accept("local worker: " + line));
                localThread = Thread.ofPlatform().daemon().name("evomerge-local-worker").start(local);
            }
            log.accept("cluster: the search is member " + self + " of " + hz.getCluster().getMembers().size()
                    + (settings.localWorker() ? " (it scores candidates too)" : " (it scores nothing itself)"));
            ClusterEvaluator evaluator = new ClusterEvaluator(hz, signer, runId,
                    Duration.ofSeconds(settings.waitForWorkersSeconds()), settings.candidateTimeoutSeconds() > 0
                    ? CandidateTimeout.of(Duration.ofSeconds(settings.candidateTimeoutSeconds())) : CandidateTimeout.derived(),
                    line -> log.accept("cluster: " + line));
            return new ClusterSession(hz, workers, local, localThread, scoring, evaluator);
        } catch (RuntimeException e) {
            if (local != null) {
                local.stop();
                joinQuietly(localThread);
            }
            if (scoring != null) {
                scoring.close();
            }
            if (workers != null) {
                workers.close();
            }
            hz.shutdown();
            throw e;
        }
    }

    /**
     * The search's evaluator on this cluster: each recipe goes out as YAML text with the run's task settings
     * (task files relative to the working folder when inside it), and comes back as the same scores the search's
     * own process would compute, attributed to the worker that scored it. {@code chatTemplateDir} is the tokenizer
     * folder whose chat template renders the prompts (null: none).
     */
    RecipeEvaluator evaluator(List<TaskRef> refs, Function<String, MergeRecipe> mergedModels, int limit, Path workingDir,
            HarnessTask.Options taskOptions, Path chatTemplateDir) {
        List<String> metrics = refs.stream().map(r -> r.metric() == null ? "" : r.metric()).toList();
        String dataDir = taskOptions.dataDir() == null ? "" : taskOptions.dataDir().toAbsolutePath().toString();
        List<String> taskFiles = refs.stream().map(r -> asSent(r.path(), workingDir)).toList();
        CandidateJob.TaskSettings settings = CandidateJob.TaskSettings.of(taskFiles, limit).withMetrics(metrics)
                .withData(dataDir, taskOptions.numFewshot())
                .withChatTemplate(chatTemplateDir == null ? "" : asSent(chatTemplateDir, workingDir),
                        taskOptions.fewshotAsMultiturn());
        return recipes -> {
            List<CandidateJob> jobs = new ArrayList<>();
            for (MergeRecipe recipe : recipes) {
                Map<String, String> merged = new LinkedHashMap<>();
                for (LayerStep step : recipe.layerPath()) {
                    MergeRecipe m = mergedModels.apply(step.model());
                    if (m != null) {
                        merged.put(step.model(), m.toYaml());
                    }
                }
                jobs.add(new CandidateJob(recipe.contentHash(), recipe.toYaml(), merged, workingDir.toString(), settings));
            }
            List<ClusterEvaluator.WorkerResult> results = evaluator.evaluate(jobs);
            List<CandidateScores> out = new ArrayList<>();
            for (int i = 0; i < recipes.size(); i++) {
                ClusterEvaluator.WorkerResult r = results.get(i);
                out.add(SearchWiring.combine(refs, recipes.get(i), r.tasks()).scoredBy(r.worker(), r.seconds()));
            }
            candidates += recipes.size();
            return out;
        };
    }

    /** A path as workers get it: relative to the working folder when inside it, so it resolves against theirs. */
    private static String asSent(Path path, Path workingDir) {
        Path p = path.toAbsolutePath().normalize();
        return p.startsWith(workingDir) ? workingDir.relativize(p).toString() : p.toString();
    }

    /** Each worker's share and busy fraction since the last call: the end of a generation's log line. */
    String generationLine() {
        return evaluator.shares().closeWindow(System.nanoTime());
    }

    /** The session's figures, in {@code DIR/cluster.json}. */
    void writeStats(Path runDir) {
        long now = System.nanoTime();
        WorkerShares shares = evaluator.shares();
        double wall = shares.sessionSeconds(now);
        ObjectNode n = JSON.createObjectNode();
        n.put("wall_seconds", wall);
        n.put("candidates", candidates);
        ObjectNode workers = n.putObject("workers");
        shares.session().forEach((w, s) -> {
            ObjectNode o = workers.putObject(w);
            o.put("candidates", s.candidates());
            o.put("busy_seconds", s.busySeconds());
            o.put("busy_fraction", wall > 0 ? s.busySeconds() / wall : 0);
        });
        double cpu = shares.sessionCpuSeconds();
        n.put("search_cpu_seconds", cpu);
        n.put("search_cpu_ms_per_candidate", candidates > 0 ? 1000 * cpu / candidates : 0);
        n.put("search_scores_too", localWorker != null);
        try {
            AtomicFiles.write(runDir.resolve(STATS), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void joinQuietly(Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(java.time.Duration.ofMinutes(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The session's line for the end of the run. */
    String summary() {
        return evaluator.shares().sessionLine(System.nanoTime());
    }

    @Override
    public void close() {
        if (localWorker != null) {
            localWorker.stop();
            // the scorer's native memory is freed below: the candidate in hand must be finished first
            joinQuietly(localThread);
        }
        if (localWorkers != null) {
            localWorkers.close();
        }
        hz.shutdown();
        if (localScoring != null) {
            localScoring.close();
        }
    }
}
