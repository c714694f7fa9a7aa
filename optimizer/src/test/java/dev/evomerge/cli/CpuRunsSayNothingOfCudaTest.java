package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user without a GPU who did not ask for one hears nothing about CUDA. DJL looks for a CUDA runtime while it
 * picks its native libraries, once per process, and on a machine with a CUDA toolkit but no driver (as the
 * project's own machines are) it warned "Failed to detect GPU count: CUDA driver version is insufficient" four
 * times per run. The run happens in a fresh JVM, as a user's does, because DJL does this only when it first loads.
 */
class CpuRunsSayNothingOfCudaTest {

    @TempDir
    Path tmp;

    @Test
    void evalOnAutoPrintsOnlyTheDeviceItChose() throws Exception {
        Path model = SyntheticCheckpoints.llama(tmp.resolve("m"), 2, 32, 64, 64, DType.BF16, 1);
        Files.writeString(tmp.resolve("rows.jsonl"), "{\"text\": \"the cat sat\", \"split\": \"test\"}\n");
        Path task = tmp.resolve("lm.yaml");
        Files.writeString(task, "name: lm\ntype: loglik\ndata: rows.jsonl\n");

        Result r = evomerge("eval", model.toString(), "--task", task.toString());

        assertEquals(0, r.exitCode(), r.stderr().toString());
        assertEquals(List.of("evomerge: device cpu, float32 (--device auto: no GPU visible)"), r.stderr(),
                "stderr of a CPU run on the default --device auto");
        assertTrue(r.stdout().contains("lm"), r.stdout());
    }

    private record Result(int exitCode, String stdout, List<String> stderr) {
    }

    private Result evomerge(String... args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path out = tmp.resolve("stdout.txt");
        Path err = tmp.resolve("stderr.txt");
        Process p = new ProcessBuilder(command).directory(tmp.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("evomerge did not finish in 120 s");
        }
        // The JVM's own notice for the incubator module is no part of evomerge's output (the launcher drops it too).
        List<String> stderr = Files.readAllLines(err, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.startsWith("WARNING: Using incubator modules: ")).toList();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), stderr);
    }
}
