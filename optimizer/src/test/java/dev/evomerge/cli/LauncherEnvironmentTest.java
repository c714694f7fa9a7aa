package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What scripts/env.sh (sourced by every launcher script) sets up for the native libraries. */
class LauncherEnvironmentTest {

    private static final Path ENV_SH = Path.of("..", "scripts", "env.sh").toAbsolutePath().normalize();

    private static String ompWaitPolicy(String given) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", "-c",
                "source \"$1\" >/dev/null 2>&1; printf '%s' \"${OMP_WAIT_POLICY-unset}\"", "bash", ENV_SH.toString()));
        pb.environment().remove("OMP_WAIT_POLICY");
        if (given != null) {
            pb.environment().put("OMP_WAIT_POLICY", given);
        }
        pb.redirectErrorStream(true);
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("sourcing env.sh did not finish");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void openMpThreadsWaitPassivelySoSharedCoresAreNotSpunAway() throws Exception {
        assertEquals(true, Files.isRegularFile(ENV_SH), ENV_SH.toString());
        assertEquals("PASSIVE", ompWaitPolicy(null));
    }

    @Test
    void aWaitPolicyTheUserChoseIsKept() throws Exception {
        assertEquals("ACTIVE", ompWaitPolicy("ACTIVE"));
    }
}
