package dev.evomerge.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Worker processes a search starts on its own machine ({@code --workers N}): the same JVM, flags and class path as
 * the search, one {@code evomerge worker} each, on free ports of the search's interface, logging to
 * {@code DIR/workers/worker-K.log}. They end with the search: stopped when it closes them, and on their own when
 * the search's process dies.
 *
 * {@snippet :
 * try (LocalWorkers workers = LocalWorkers.start(2, "127.0.0.1", List.of("127.0.0.1:5701"), List.of("--device", "cpu"), logs)) {
 *     // ... the search ...
 * }
 * }
 */
final class LocalWorkers implements AutoCloseable {

    private final List<Process> processes;
    private final List<String> addresses;

    private LocalWorkers(List<Process> processes, List<String> addresses) {
        this.processes = processes;
        this.addresses = addresses;
    }

    /**
     * Starts {@code n} workers bound to {@code host}, joining {@code members}, each with {@code workerArgs} (device,
     * secret file, cache budget), the CPU's cores shared between them (torch's threads and the merge kernels' pool)
     * unless the JVM already sets them.
     */
    static LocalWorkers start(int n, String host, List<String> members, List<String> workerArgs, Path logDir) {
        List<Process> processes = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        try {
            Files.createDirectories(logDir);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> jvm = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> !a.startsWith("-agentlib:") && !a.startsWith("-javaagent:")).toList());
            String threadsKey = "ai.djl.pytorch.num_threads";
            if (jvm.stream().noneMatch(a -> a.startsWith("-D" + threadsKey + "="))) {
                String threads = System.getProperty(threadsKey,
                        String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors() / n)));
                jvm.add("-D" + threadsKey + "=" + threads);
            }
            // The merge kernels run on the common pool plus the calling thread: its share of the cores less one.
            String poolKey = "java.util.concurrent.ForkJoinPool.common.parallelism";
            if (jvm.stream().noneMatch(a -> a.startsWith("-D" + poolKey + "="))) {
                jvm.add("-D" + poolKey + "=" + Math.max(0, Runtime.getRuntime().availableProcessors() / n - 1));
            }
            for (int k = 1; k <= n; k++) {
                String bind = host + ":" + freePort(host);
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(jvm);
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "worker",
                        "--members", String.join(",", members), "--bind", bind,
                        "--exit-with-parent", String.valueOf(ProcessHandle.current().pid())));
                cmd.addAll(workerArgs);
                Path log = logDir.resolve("worker-" + k + ".log");
                processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
                addresses.add(bind);
            }
        } catch (IOException e) {
            processes.forEach(Process::destroyForcibly);
            throw new UncheckedIOException("cannot start local workers: " + e.getMessage(), e);
        }
        return new LocalWorkers(processes, addresses);
    }

    /** The {@code host:port} each worker was told to bind. */
    List<String> addresses() {
        return List.copyOf(addresses);
    }

    static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    /** Asks every worker to stop (SIGTERM), then kills those still running after ten seconds. */
    @Override
    public void close() {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
