package dev.evomerge.optimizer.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The {@code evaluation.cluster:} block of a search config: where the search finds the workers that score its
 * candidates. Without it (and without the matching command-line flags) a search scores everything in its own
 * process and starts no cluster.
 *
 * {@snippet :
 * // evaluation:
 * //   cluster:
 * //     members: [10.0.0.5:5701, 10.0.0.6:5701]   # the workers (and this machine), joined over TCP/IP
 * //     secret_file: ~/.evomerge/secret           # mode 0600; needed to bind beyond loopback
 * //     workers: 2                                # local worker processes started by the search
 * }
 *
 * @param members {@code host:port} of cluster members to join
 * @param bind where the search's member listens ({@code host:port}), or {@code null} for the default
 * @param secretFile the shared secret's file, or {@code null} ({@code EVOMERGE_CLUSTER_SECRET}, else none)
 * @param workers worker processes the search starts on this machine
 * @param localWorker whether the search's own process also scores candidates
 * @param waitForWorkersSeconds how long the search waits with candidates and no worker before giving up
 * @param candidateTimeoutSeconds how long a worker may hold a candidate before it goes to another worker as well
 *        (0: derived from the candidates' times, see {@code CandidateTimeout})
 */
public record ClusterSettings(List<String> members, String bind, Path secretFile, int workers, boolean localWorker,
                              long waitForWorkersSeconds, long candidateTimeoutSeconds) {

    /** How long a search waits for a worker when not told. */
    public static final long DEFAULT_WAIT_SECONDS = 600;

    /** No cluster: everything in one process. */
    public static final ClusterSettings NONE = new ClusterSettings(List.of(), null, null, 0, false, DEFAULT_WAIT_SECONDS,
            0);

    /** More local worker processes than this is a typo, not a machine. */
    static final int MAX_LOCAL_WORKERS = 256;
    /** About eleven days: a longer wait is a typo, and its nanoseconds would overflow. */
    static final long MAX_WAIT_SECONDS = 1_000_000;

    private static final Set<String> KEYS = Set.of("members", "bind", "secret_file", "workers", "local_worker",
            "wait_for_workers_s", "candidate_timeout_s");

    public ClusterSettings {
        members = List.copyOf(members);
        if (workers < 0 || workers > MAX_LOCAL_WORKERS) {
            throw new IllegalArgumentException("the number of workers (--workers, evaluation.cluster.workers) must be"
                    + " in [0, " + MAX_LOCAL_WORKERS + "], got " + workers);
        }
        if (waitForWorkersSeconds <= 0 || waitForWorkersSeconds > MAX_WAIT_SECONDS) {
            throw new IllegalArgumentException("the wait for workers (--wait-for-workers, evaluation.cluster.wait_for_workers_s)"
                    + " must be in (0, " + MAX_WAIT_SECONDS + "] seconds, got " + waitForWorkersSeconds);
        }
        if (candidateTimeoutSeconds < 0 || candidateTimeoutSeconds > MAX_WAIT_SECONDS) {
            throw new IllegalArgumentException("the candidate timeout (--candidate-timeout, evaluation.cluster.candidate_timeout_s)"
                    + " must be in [0, " + MAX_WAIT_SECONDS + "] seconds (0: derived), got " + candidateTimeoutSeconds);
        }
    }

    /** Whether candidates are scored on a cluster at all. */
    public boolean enabled() {
        return !members.isEmpty() || workers > 0 || localWorker;
    }

    /** Splits a comma-separated member list ({@code --members a:5701,b:5701}). */
    public static List<String> splitMembers(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Parses the block; {@code secret_file} is relative to the config's folder. Errors name the file and key. */
    static ClusterSettings parse(Path file, JsonNode n) {
        String key = "evaluation.cluster";
        if (!n.isObject()) {
            throw new IllegalArgumentException(file + ": '" + key + "' must be a mapping (" + String.join(", ",
                    KEYS.stream().sorted().toList()) + ")");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException(file + ": unknown key '" + key + "." + k + "' (expected one of "
                        + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        List<String> members = new ArrayList<>();
        JsonNode m = n.get("members");
        if (m != null) {
            if (m.isTextual()) {
                members.addAll(splitMembers(m.asText()));
            } else if (m.isArray()) {
                for (int i = 0; i < m.size(); i++) {
                    if (!m.get(i).isTextual() && !m.get(i).isNumber()) {
                        throw new IllegalArgumentException(file + ": " + key + ".members[" + i + "] must be host:port");
                    }
                    members.add(m.get(i).asText());
                }
            } else {
                throw new IllegalArgumentException(file + ": " + key + ".members must be a list of host:port");
            }
        }
        String bind = text(file, n, key + ".bind", "bind");
        String secret = text(file, n, key + ".secret_file", "secret_file");
        Path secretFile = secret == null ? null : file.toAbsolutePath().getParent().resolve(expandHome(secret)).normalize();
        long workerCount = integer(file, n, key + ".workers", "workers", 0, 0);
        if (workerCount > MAX_LOCAL_WORKERS) {
            throw new IllegalArgumentException(file + ": " + key + ".workers must be at most " + MAX_LOCAL_WORKERS);
        }
        int workers = (int) workerCount;
        JsonNode local = n.get("local_worker");
        if (local != null && !local.isBoolean()) {
            throw new IllegalArgumentException(file + ": " + key + ".local_worker must be true or false");
        }
        long wait = integer(file, n, key + ".wait_for_workers_s", "wait_for_workers_s", DEFAULT_WAIT_SECONDS, 1);
        long timeout = integer(file, n, key + ".candidate_timeout_s", "candidate_timeout_s", 0, 0);
        return new ClusterSettings(members, bind, secretFile, workers, local != null && local.asBoolean(), wait, timeout);
    }

    /**
     * {@code ~} and {@code ~/x} as the shell would read them: a path quoted, or given as {@code --secret-file=~/x},
     * reaches evomerge with its tilde.
     */
    public static Path expandHome(String path) {
        if (path.equals("~")) {
            return Path.of(System.getProperty("user.home"));
        }
        return path.startsWith("~/") ? Path.of(System.getProperty("user.home"), path.substring(2)) : Path.of(path);
    }

    /** A secret file named on the command line: {@code ~} expanded, relative to the working folder. */
    public static Path secretFileArgument(String path) {
        return expandHome(path).toAbsolutePath().normalize();
    }

    private static String text(Path file, JsonNode n, String name, String k) {
        JsonNode v = n.get(k);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(file + ": " + name + " must be a string");
        }
        return v.asText();
    }

    private static long integer(Path file, JsonNode n, String name, String k, long absent, long min) {
        JsonNode v = n.get(k);
        if (v == null) {
            return absent;
        }
        if (!v.isIntegralNumber() || v.asLong() < min) {
            throw new IllegalArgumentException(file + ": " + name + " must be an integer >= " + min);
        }
        return v.asLong();
    }
}
