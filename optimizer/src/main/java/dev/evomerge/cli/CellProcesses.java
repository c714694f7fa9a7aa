package dev.evomerge.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the search-quality bench's cells in child JVMs, {@code jobs} at a time, each with one compute thread: a cell's
 * search is one candidate at a time on models this small, so separate processes are what fills the cores. A child
 * writes its cell as the bench itself would ({@code cell.json}); its output goes to {@code OUT/logs/}.
 */
final class CellProcesses {

    private final int jobs;
    private final Path logs;

    CellProcesses(int jobs, Path out) {
        if (jobs < 1) {
            throw new IllegalArgumentException("--jobs: must be >= 1, got " + jobs);
        }
        this.jobs = jobs;
        this.logs = out.resolve("logs");
    }

    /** Runs every cell of {@code cells} ({@code zoo/strategy/seed}) with the bench's {@code arguments}; throws on the first failure. */
    void runAll(List<String> cells, List<String> arguments) throws IOException {
        Files.createDirectories(logs);
        AtomicInteger done = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(jobs)) {
            List<Future<?>> futures = new ArrayList<>();
            for (String cell : cells) {
                futures.add(pool.submit(() -> {
                    run(cell, arguments);
                    System.err.printf("== %d / %d cells done (%s)%n", done.incrementAndGet(), cells.size(), cell);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    pool.shutdownNow();
                    throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    pool.shutdownNow();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
    }

    private void run(String cell, List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SearchQualityBench.class.getName());
        command.addAll(arguments);
        command.add("--cell");
        command.add(cell);
        Path log = logs.resolve(cell.replace('/', '-') + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // One compute thread per child: the children share the cores between them.
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        try {
            int code = p.waitFor();
            if (code != 0) {
                throw new IllegalStateException("cell " + cell + " failed with exit code " + code + " (log: " + log + ")");
            }
        } finally {
            p.destroyForcibly();
        }
    }
}
