package dev.evomerge.cli;

import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.runtime.Gpus;
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
 * {@code DIR/workers/worker-K.log}. On a GPU, worker K takes its own GPU ({@link #devices}); on the CPU, each takes
 * its share of the cores. They end with the search: stopped when it closes them, and on their own when the search's
 * process dies.
 *
 * {@snippet :
 * List<ComputeDevice> devices = LocalWorkers.devices(ComputeDevice.CPU, 2, Gpus.pytorch());
 * try (LocalWorkers workers = LocalWorkers.start(devices, "127.0.0.1", List.of("127.0.0.1:5701"), List.of(), logs)) {
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
     * The device of each of {@code n} local workers when the search runs on {@code used}: the CPU for all of them, or
     * one GPU each, counting up from {@code used}'s ({@code --device gpu} and {@code auto} on a GPU machine: gpu:0,
     * gpu:1, ...). Fails in one line when the GPUs run out: several workers on one GPU are started by hand.
     */
    static List<ComputeDevice> devices(ComputeDevice used, int n, Gpus gpus) {
        if (used.kind() == ComputeDevice.Kind.AUTO) {
            throw new IllegalArgumentException("a local worker's device must be concrete, got auto");
        }
        if (used.kind() == ComputeDevice.Kind.CPU || n == 0) {
            return java.util.Collections.nCopies(n, used);
        }
        int last = used.gpuIndex() + n - 1;
        // GPUs are numbered without gaps, so the last one says for all; only it is asked (asking places data on it).
        if (!gpus.visible(last)) {
            throw new IllegalArgumentException("--workers " + n + " on " + used.label() + ": a local worker per GPU needs "
                    + used.label() + " to gpu:" + last + ", and PyTorch does not see gpu:" + last + " (start workers"
                    + " by hand to put several on one GPU)");
        }
        List<ComputeDevice> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            out.add(ComputeDevice.gpu(used.gpuIndex() + k).with(used.precision()));
        }
        return out;
    }

    /**
     * Starts one worker per device, bound to {@code host}, joining {@code members}, each with {@code workerArgs}
     * (secret file, cache budget), the CPU's cores shared between them (torch's threads and the merge kernels' pool)
     * unless the JVM already sets them.
     */
    static LocalWorkers start(List<ComputeDevice> devices, String host, List<String> members, List<String> workerArgs,
            Path logDir) {
        int n = devices.size();
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
            // A collection's threads beyond the worker's share would wait for cores that other workers compute on.
            if (jvm.stream().noneMatch(a -> a.startsWith("-XX:ParallelGCThreads="))) {
                jvm.add("-XX:ParallelGCThreads=" + Math.max(1, Runtime.getRuntime().availableProcessors() / n));
            }
            for (int k = 1; k <= n; k++) {
                String bind = host + ":" + freePort(host);
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(jvm);
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "worker",
                        "--members", String.join(",", members), "--bind", bind,
                        "--exit-with-parent", String.valueOf(ProcessHandle.current().pid())));
                ComputeDevice device = devices.get(k - 1);
                cmd.addAll(List.of("--device", device.label(), "--precision", device.precision().label()));
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
