package dev.evomerge.cli;

import dev.evomerge.optimizer.cluster.CandidateTimeout;
import dev.evomerge.optimizer.config.ClusterSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code search}'s cluster flags; each one given wins over the config's {@code evaluation.cluster} entry. */
final class ClusterOptions {

    @Option(names = "--members", paramLabel = "HOST:PORT,...", description = "score candidates on the workers of this"
            + " cluster (TCP/IP member list); see 'evomerge worker --help'")
    private String members;

    @Option(names = "--bind", paramLabel = "HOST:PORT", description = "where the search's cluster member listens"
            + " (default: the listed member that is this machine, else 127.0.0.1:5701)")
    private String bind;

    @Option(names = "--secret-file", paramLabel = "FILE", description = "the cluster's shared secret (mode 0600)")
    private String secretFile;

    @Option(names = "--workers", paramLabel = "N", description = "start N worker processes on this machine")
    private Integer workers;

    @Option(names = "--local-worker", description = "the search's own process scores candidates too")
    private Boolean localWorker;

    @Option(names = "--wait-for-workers", paramLabel = "SECONDS", description = "how long to wait with no worker"
            + " before giving up (the run stays resumable; default: " + ClusterSettings.DEFAULT_WAIT_SECONDS + ")")
    private Long waitSeconds;

    @Option(names = "--candidate-timeout", paramLabel = "SECONDS", description = "how long a worker may hold a"
            + " candidate before it goes to the next free worker as well (default 0: " + CandidateTimeout.FACTOR
            + " times the slowest candidate so far, at least " + CandidateTimeout.FLOOR_SECONDS + " s)")
    private Long candidateTimeoutSeconds;

    /** The config's settings with every flag given put in its place. */
    ClusterSettings over(ClusterSettings config) {
        return new ClusterSettings(
                members != null ? ClusterSettings.splitMembers(members) : config.members(),
                bind != null ? bind : config.bind(),
                secretFile != null ? ClusterSettings.secretFileArgument(secretFile) : config.secretFile(),
                workers != null ? workers : config.workers(),
                localWorker != null ? localWorker : config.localWorker(),
                waitSeconds != null ? waitSeconds : config.waitForWorkersSeconds(),
                candidateTimeoutSeconds != null ? candidateTimeoutSeconds : config.candidateTimeoutSeconds());
    }
}
