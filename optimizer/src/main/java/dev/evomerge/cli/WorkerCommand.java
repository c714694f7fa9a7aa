package dev.evomerge.cli;

import com.hazelcast.core.HazelcastInstance;
import dev.evomerge.optimizer.cluster.ClusterMember;
import dev.evomerge.optimizer.cluster.ClusterSecret;
import dev.evomerge.optimizer.cluster.ClusterWorker;
import dev.evomerge.optimizer.cluster.PayloadSigner;
import dev.evomerge.optimizer.config.ClusterSettings;
import dev.evomerge.optimizer.config.EvaluationSettings;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code evomerge worker}: scores the candidates of searches on a cluster, one at a time, until stopped. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Score a search's candidates on this machine's device, as a member of an evomerge cluster.",
                "Start one per device; stop it with Ctrl-C: it finishes the candidate in hand if that takes at most 30 s more,"
                        + " and that candidate goes to another worker otherwise.",
                "It needs the search's models, task files and data at the same paths (a shared disk), or under"
                        + " --working-dir for relative paths.",
                "Candidates and results are signed with the secret (HMAC-SHA256); traffic is not encrypted:"
                        + " keep the cluster on a private network or a VPN. See docs/cluster.md."},
        footer = {"", "Example: evomerge worker --members 10.0.0.5:5701,10.0.0.6:5701 --bind 10.0.0.6:5701"
                + " --device gpu --secret-file ~/.evomerge/secret"})
final class WorkerCommand implements Callable<Integer> {

    @Option(names = "--members", paramLabel = "HOST:PORT,...", description = "cluster members to join over TCP/IP"
            + " (default: this worker's own address, so a search on this machine can join it)")
    private String members;

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:5701", description = "address to"
            + " listen on; the port goes up when taken (default: ${DEFAULT-VALUE}; beyond loopback needs a secret)")
    private String bind;

    @Option(names = "--secret-file", paramLabel = "FILE", description = "the cluster's shared secret (mode 0600);"
            + " default: $" + ClusterSecret.ENVIRONMENT + ", else none (loopback only)")
    private String secretFile;

    @Mixin
    private DeviceOptions deviceOptions;

    @Option(names = "--merge-cache-mb", paramLabel = "N", defaultValue = "" + EvaluationSettings.DEFAULT_MERGE_CACHE_MB,
            description = "MiB of merged tensors kept between candidates (0: off; default: ${DEFAULT-VALUE})")
    private long mergeCacheMb;

    @Option(names = "--working-dir", paramLabel = "DIR", description = "where the search's relative model and task"
            + " paths are found on this machine (default: the search's own working folder)")
    private Path workingDir;

    @Option(names = "--exit-with-parent", paramLabel = "PID", hidden = true,
            description = "stop when this process ends (workers a search starts itself)")
    private Long parentPid;

    /** The secret file given, {@code ~} expanded as for {@code search}; {@code null} when none is. */
    Path secretFile() {
        return secretFile == null ? null : ClusterSettings.secretFileArgument(secretFile);
    }

    @Override
    public Integer call() throws InterruptedException {
        ClusterSecret secret = ClusterSecret.resolve(secretFile(), System.getenv());
        ClusterMember.Bind at = ClusterMember.Bind.parse(bind, "--bind");
        var device = deviceOptions.computeDevice();
        if (mergeCacheMb < 0) {
            throw new IllegalArgumentException("--merge-cache-mb must be >= 0, got " + mergeCacheMb);
        }
        HazelcastInstance hz = ClusterMember.start(ClusterMember.Role.WORKER,
                members == null ? java.util.List.of() : ClusterSettings.splitMembers(members), at, secret);
        try (WorkerScoring scoring = new WorkerScoring(device, mergeCacheMb, workingDir == null ? null
                : workingDir.toAbsolutePath())) {
            ClusterWorker worker = new ClusterWorker(hz, new PayloadSigner(secret), scoring,
                    WorkerCommand::log);
            Thread loop = Thread.currentThread();
            Runnable stop = () -> {
                worker.stop();
                try {
                    loop.join(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            Runtime.getRuntime().addShutdownHook(new Thread(stop, "evomerge-worker-stop"));
            if (parentPid != null) {
                ProcessHandle.of(parentPid).ifPresentOrElse(p -> p.onExit().thenRun(worker::stop), worker::stop);
            }
            log(worker.address() + " joined a cluster of "
                    + hz.getCluster().getMembers().size() + " members (device " + device.kind().name().toLowerCase(
                    java.util.Locale.ROOT) + "); waiting for candidates");
            worker.run();
        } finally {
            hz.shutdown();
        }
        return 0;
    }

    /** A worker runs for days: each line says when, so that a gap between candidates shows in its log. */
    private static void log(String line) {
        System.err.println(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + " evomerge worker: " + line);
    }
}
