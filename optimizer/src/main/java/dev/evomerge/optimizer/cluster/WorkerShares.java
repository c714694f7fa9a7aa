package dev.evomerge.optimizer.cluster;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each worker's share of the candidates and how busy it was: over a window (a generation, for its log line) and
 * over the whole session (for {@code cluster.json} and the benchmark). Busy means scoring, as the worker timed it;
 * the rest of a window is time a worker waited for work or for the search.
 *
 * {@snippet :
 * WorkerShares shares = new WorkerShares(System.nanoTime());
 * shares.scored("10.0.0.6:5701", 42.0);
 * String line = shares.closeWindow(System.nanoTime());   // "workers: 10.0.0.6:5701 1 (100%) 97% busy"
 * }
 */
public final class WorkerShares {

    /** One worker's totals. */
    public record Share(long candidates, double busySeconds) {}

    private final Map<String, Share> window = new TreeMap<>();
    private final Map<String, Share> session = new TreeMap<>();
    private final long sessionStart;
    private final long cpuAtStart = processCpuNanos();
    private long windowStart;

    public WorkerShares(long nanoTime) {
        this.sessionStart = nanoTime;
        this.windowStart = nanoTime;
    }

    /** CPU seconds this process has used since the session began (all its threads, Hazelcast's included). */
    public double sessionCpuSeconds() {
        return (processCpuNanos() - cpuAtStart) / 1e9;
    }

    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    synchronized void scored(String worker, double seconds) {
        window.merge(worker, new Share(1, seconds), WorkerShares::sum);
        session.merge(worker, new Share(1, seconds), WorkerShares::sum);
    }

    private static Share sum(Share a, Share b) {
        return new Share(a.candidates() + b.candidates(), a.busySeconds() + b.busySeconds());
    }

    /** The window's line (each worker's candidates, share and busy fraction), and a new window from now. */
    public synchronized String closeWindow(long nanoTime) {
        String line = line(window, (nanoTime - windowStart) / 1e9);
        window.clear();
        windowStart = nanoTime;
        return line;
    }

    /** The same line over the whole session so far. */
    public synchronized String sessionLine(long nanoTime) {
        return line(session, (nanoTime - sessionStart) / 1e9);
    }

    /** The session's totals by worker address. */
    public synchronized Map<String, Share> session() {
        return new LinkedHashMap<>(session);
    }

    /** Seconds since the session began. */
    public double sessionSeconds(long nanoTime) {
        return (nanoTime - sessionStart) / 1e9;
    }

    private static String line(Map<String, Share> shares, double wallSeconds) {
        if (shares.isEmpty()) {
            return "workers: none scored";
        }
        long total = shares.values().stream().mapToLong(Share::candidates).sum();
        StringBuilder b = new StringBuilder("workers:");
        shares.forEach((w, s) -> b.append(String.format(Locale.ROOT, " %s %d (%.0f%%) %.0f%% busy;", w, s.candidates(),
                100.0 * s.candidates() / total, wallSeconds > 0 ? 100 * Math.min(1, s.busySeconds() / wallSeconds) : 0)));
        b.setLength(b.length() - 1);
        return b.toString();
    }
}
