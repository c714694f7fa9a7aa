package dev.evomerge.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where a process's CPU time went, by kind of thread: for {@code scripts/bench-cluster --thread-cpu}. This process's
 * Java threads are named in full (Hazelcast's carry their member's name, left out here); any process's threads,
 * the JVM's own (JIT compilers, GC) among them, are read from {@code /proc} by their 15-character system name.
 * Digits are left out of names, so that a pool's threads add up under one name.
 *
 * {@snippet :
 * Map<String, Long> before = ThreadCpu.javaThreads();
 * // ... work ...
 * Map<String, Long> spent = ThreadCpu.minus(ThreadCpu.javaThreads(), before);
 * }
 */
final class ThreadCpu {

    private static final long NANOS_PER_TICK = 10_000_000L;   // USER_HZ is 100 on Linux

    private ThreadCpu() {
    }

    /** One reading: this process's Java threads and system threads, and each child process's system threads. */
    record Snapshot(Map<String, Long> searchJava, Map<String, Long> searchSystem, Map<Long, Map<String, Long>> workers) {

        static Snapshot take() {
            Map<Long, Map<String, Long>> workers = new TreeMap<>();
            ProcessHandle.current().children().forEach(p -> workers.put(p.pid(), systemThreads(p.pid())));
            return new Snapshot(javaThreads(), systemThreads(ProcessHandle.current().pid()), workers);
        }

        String searchJava(Snapshot before, long per) {
            return top(minus(searchJava, before.searchJava), per, 12);
        }

        String searchSystem(Snapshot before, long per) {
            return top(minus(searchSystem, before.searchSystem), per, 8);
        }

        String worker(Snapshot before, long pid, long per) {
            return top(minus(workers.get(pid), before.workers.getOrDefault(pid, Map.of())), per, 8);
        }
    }

    /** CPU nanoseconds of this process's live Java threads, by kind. */
    static Map<String, Long> javaThreads() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new TreeMap<>();
        for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = mx.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                out.merge(kind(info.getThreadName()), cpu, Long::sum);
            }
        }
        return out;
    }

    /** CPU nanoseconds of a process's live threads by system name (empty where {@code /proc} is not there). */
    static Map<String, Long> systemThreads(long pid) {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // after "pid (comm) ": state, then 10 fields, then utime and stime (fields 14 and 15)
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    out.merge(kind(Files.readString(task.resolve("comm")).strip()), ticks * NANOS_PER_TICK, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // a thread that ended meanwhile
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    /** {@code after - before}, by kind. */
    static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((k, v) -> out.put(k, v - before.getOrDefault(k, 0L)));
        return out;
    }

    /** The largest entries as {@code name 12.3}, milliseconds per {@code per}, at most {@code n}. */
    static String top(Map<String, Long> nanos, long per, int n) {
        List<Map.Entry<String, Long>> sorted = nanos.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n).toList();
        StringBuilder b = new StringBuilder();
        for (var e : sorted) {
            b.append(b.isEmpty() ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%s %.1f", e.getKey(),
                    e.getValue() / 1e6 / per));
        }
        return b.toString();
    }

    static String kind(String threadName) {
        String n = threadName;
        if (n.startsWith("hz.")) {
            int dot = n.indexOf('.', 3);
            n = "hz." + (dot < 0 ? "" : n.substring(dot + 1));
        }
        return n.replaceAll("[0-9]+", "#");
    }
}
