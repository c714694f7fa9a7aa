package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.optimizer.cluster.ClusterMember;
import dev.evomerge.optimizer.cluster.ClusterSecret;
import dev.evomerge.optimizer.cluster.ClusterWorker;
import dev.evomerge.optimizer.cluster.PayloadSigner;
import dev.evomerge.optimizer.config.ClusterSettings;
import dev.evomerge.optimizer.config.SearchConfig;
import dev.evomerge.results.RunDirectory;
import dev.evomerge.results.RunJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Whole searches on a loopback cluster: worker processes, a killed worker, a worker that cannot see the models. */
@Tag("slow")
@Timeout(300)
class ClusterSearchTest {

    @TempDir
    Path tmp;
    final StringWriter err = new StringWriter();

    @BeforeEach
    void zoo() throws IOException {
        SearchZoo.modelsAndTask(tmp);
        // Model paths relative to the working folder (tmp), as on a shared disk mounted alike everywhere.
        Files.writeString(tmp.resolve("search.yaml"), """
                genome:
                  models: [ft1, ft2]
                  merge_method: task_arithmetic
                  base_model: base
                  layer_granularity: 1
                tasks:
                  - path: lm.yaml
                search: {algorithm: cma-es, generations: 3, seed: 5}
                """);
    }

    static List<String> history(Path run) {
        return ClusterSearchHistory.of(run);
    }

    static Set<String> workers(Path run) {
        Set<String> out = new TreeSet<>();
        RunDirectory.open(run).history().forEach(r -> {
            if (r.worker() != null) {
                out.add(r.worker());
            }
        });
        return out;
    }

    /** Runs a search with {@code tmp} as its working folder, as {@code search} does from there. */
    Path search(String name, ClusterSettings cluster) {
        SearchConfig config = SearchConfig.load(tmp.resolve("search.yaml"));
        RunSession session = new RunSession(config, tmp, ComputeDevice.CPU, 0);
        RunSession.Prepared prepared = session.prepare();
        Path dir = tmp.resolve(name);
        RunDirectory run = RunDirectory.create(dir, config.toString());
        ClusterPlan plan = ClusterPlan.forNewRun(cluster);
        session.record(run, prepared.device(), plan);
        session.run(prepared, run, false, e -> e, plan);
        return dir;
    }

    @Test
    void aSearchOnTwoWorkerProcessesWritesTheSingleProcessHistory() throws IOException {
        Path single = search("single", ClusterSettings.NONE);
        Path clustered = search("clustered", new ClusterSettings(List.of(), null, null, 2, false, 120, 0));
        assertEquals(history(single), history(clustered));
        assertEquals(Set.of(SearchWiring.LOCAL), workers(single));
        Set<String> used = workers(clustered);
        assertEquals(2, used.size(), "both workers scored candidates: " + used);
        assertTrue(used.stream().allMatch(w -> w.matches("127\\.0\\.0\\.1:\\d+")), used.toString());
        var stats = RunJson.mapper().readTree(clustered.resolve(ClusterSession.STATS).toFile());
        long fresh = RunDirectory.open(clustered).history().stream().filter(r -> !r.cacheHit()).count();
        assertEquals(fresh, stats.get("candidates").asLong(), "cluster.json counts the candidates the workers scored");
        assertEquals(used, iterable(stats.get("workers").fieldNames()));
        ClusterPlan stored = RunSession.clusterOf(RunDirectory.open(clustered));
        assertEquals(2, stored.settings().workers(), "resume finds the cluster the run was launched with");
        assertTrue(stored.runId().matches("[0-9a-f-]{36}"), stored.runId());
        assertEquals(ClusterPlan.NONE, RunSession.clusterOf(RunDirectory.open(single)));
    }

    @Test
    void aClusteredSearchRendersPromptsThroughTheChatTemplateAsTheSingleProcessDoes() throws IOException {
        ChatQaTask.write(tmp, tmp.resolve("base"));
        Files.writeString(tmp.resolve("search.yaml"), Files.readString(tmp.resolve("search.yaml"))
                .replace("path: lm.yaml", "path: qa.yaml") + "apply_chat_template: true\n");
        Path single = search("single", ClusterSettings.NONE);
        Path clustered = search("clustered", new ClusterSettings(List.of(), null, null, 0, true, 120, 0));
        assertEquals(history(single), history(clustered));
        Files.writeString(tmp.resolve("search.yaml"), Files.readString(tmp.resolve("search.yaml"))
                .replace("apply_chat_template: true\n", ""));
        Path plain = search("plain", ClusterSettings.NONE);
        assertTrue(!history(plain).equals(history(single)), "the template changes the scores");
    }

    private static Set<String> iterable(java.util.Iterator<String> it) {
        Set<String> out = new TreeSet<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void aWorkerKilledMidCandidateLosesNothing() throws Exception {
        Path single = search("single", ClusterSettings.NONE);
        int port = LocalWorkers.freePort("127.0.0.1");
        String members = "127.0.0.1:" + port;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> workers = new ArrayList<>();
        try {
            List<BufferedReader> outs = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                List<String> cmd = new ArrayList<>(List.of(java));
                cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                        .filter(a -> !a.startsWith("-javaagent") && !a.startsWith("-agentlib")).toList());
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SlowWorker.class.getName(), members,
                        "127.0.0.1:" + (k == 0 ? port : LocalWorkers.freePort("127.0.0.1")), k == 0 ? "1500" : "100"));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                workers.add(p);
                outs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
            }
            for (BufferedReader out : outs) {
                String line;
                while ((line = out.readLine()) != null && !line.startsWith("ready at ")) {
                    // Hazelcast's start-up lines
                }
                assertNotNull(line, "a worker did not start");
            }
            List<String> victimLog = new CopyOnWriteArrayList<>();
            List<String> survivorLog = new CopyOnWriteArrayList<>();
            Thread.ofPlatform().daemon().start(() -> outs.get(1).lines().forEach(l -> {
                survivorLog.add(l);
            }));
            Thread killer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    String line;
                    while ((line = outs.getFirst().readLine()) != null) {
                        victimLog.add(line);
                        if (line.startsWith("scoring candidate")) {
                            workers.getFirst().destroyForcibly();   // SIGKILL, in the middle of its candidate
                            return;
                        }
                    }
                } catch (IOException e) {
                    // the stream ends with the process
                }
            });
            Path clustered = search("clustered", new ClusterSettings(List.of(members), null, null, 0, false, 120, 0));
            killer.join(10_000);
            assertTrue(workers.getFirst().waitFor(10, TimeUnit.SECONDS));
            assertTrue(victimLog.stream().anyMatch(l -> l.startsWith("scoring candidate")), victimLog.toString());
            assertTrue(victimLog.stream().noneMatch(l -> l.startsWith("scored candidate")), "killed before it scored one: " + victimLog);
            assertEquals(history(single), history(clustered), survivorLog.toString());
            assertEquals(1, workers(clustered).size(), "the survivor scored everything: " + workers(clustered));
        } finally {
            workers.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void aWorkerMissingTheModelsIsLoggedAndTheSearchCompletesOnTheOthers() throws Exception {
        Path single = search("single", ClusterSettings.NONE);
        int port = LocalWorkers.freePort("127.0.0.1");
        List<String> members = List.of("127.0.0.1:" + port);
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.copy(tmp.resolve("lm.yaml"), elsewhere.resolve("lm.yaml"));
        Files.copy(tmp.resolve("rows.jsonl"), elsewhere.resolve("rows.jsonl"));
        List<com.hazelcast.core.HazelcastInstance> members2 = new ArrayList<>();
        List<ClusterWorker> loops = new ArrayList<>();
        List<String> brokenLog = new CopyOnWriteArrayList<>();
        PrintWriter oldErr = null;
        java.io.ByteArrayOutputStream searchErr = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        try (WorkerScoring blind = new WorkerScoring(ComputeDevice.CPU, 64, elsewhere);
             WorkerScoring good = new WorkerScoring(ComputeDevice.CPU, 64, null)) {
            for (int k = 0; k < 2; k++) {
                var hz = ClusterMember.start(ClusterMember.Role.WORKER, members,
                        new ClusterMember.Bind("127.0.0.1", k == 0 ? port : LocalWorkers.freePort("127.0.0.1")), ClusterSecret.none());
                members2.add(hz);
                ClusterWorker w = new ClusterWorker(hz, new PayloadSigner(ClusterSecret.none()), k == 0 ? blind : good,
                        k == 0 ? brokenLog::add : line -> { });
                loops.add(w);
                Thread.ofPlatform().daemon().start(w);
            }
            System.setErr(new java.io.PrintStream(searchErr, true, StandardCharsets.UTF_8));
            Path clustered = search("clustered", new ClusterSettings(members, null, null, 0, false, 120, 0));
            System.setErr(stderr);
            assertEquals(history(single), history(clustered));
            assertEquals(Set.of(loops.get(1).address()), workers(clustered));
            String log = searchErr.toString(StandardCharsets.UTF_8);
            String blindAt = loops.getFirst().address();
            assertTrue(log.lines().anyMatch(l -> l.startsWith("evomerge: cluster: worker " + blindAt + " could not score candidate ")
                    && l.contains(elsewhere.resolve("ft").toString().substring(0, elsewhere.toString().length()))), log);
            assertTrue(log.contains("worker " + blindAt + " failed 2 candidates in a row; it gets no more candidates"), log);
            assertTrue(brokenLog.stream().anyMatch(l -> l.startsWith("could not score candidate")), brokenLog.toString());
        } finally {
            System.setErr(stderr);
            loops.forEach(ClusterWorker::stop);
            members2.forEach(hz -> hz.getLifecycleService().terminate());
        }
    }
}
