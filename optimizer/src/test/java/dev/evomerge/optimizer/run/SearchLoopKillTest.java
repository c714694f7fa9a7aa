package dev.evomerge.optimizer.run;

import static org.junit.jupiter.api.Assertions.*;

import dev.evomerge.results.RunDirectory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** A real child JVM running the loop, killed with SIGKILL at random moments, then resumed in this one. */
class SearchLoopKillTest {
    static final int GENERATIONS = 50;
    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"ga", "m2n2"})
    void killedChildProcessesThenResumedEqualsUninterrupted(String strategy) throws Exception {
        RunDirectory ref = RunDirectory.create(tmp.resolve("ref"), "algorithm: " + strategy + "\n");
        SearchLoop refLoop = SearchLoop.start(ref, Synthetic.space(), Synthetic.factory(strategy),
                new Synthetic.CountingEvaluator(), RunLimits.generations(GENERATIONS), null);
        refLoop.run();

        Path dir = tmp.resolve("killed");
        Random random = new Random(strategy.hashCode());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> kills = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    KillableRun.class.getName(), dir.toString(), strategy, String.valueOf(GENERATIONS), "10")
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            while (first != null && !first.startsWith("started")) {
                first = out.readLine();   // resume warnings (dropped lines, skipped checkpoints) come first
            }
            assertNotNull(first, "child did not start");
            assertTrue(first.startsWith("started"), first);
            long startedAt = Long.parseLong(first.substring("started at generation ".length()));
            long killAfter = startedAt + 1 + random.nextInt(12);
            String line;
            while ((line = out.readLine()) != null && !(line.startsWith("gen ")
                    && Long.parseLong(line.substring(4)) >= killAfter)) {
                // wait for the child to reach the generation chosen for this kill
            }
            Thread.sleep(random.nextInt(15));   // then somewhere inside a later generation
            boolean alive = p.isAlive();
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            kills.add(first + (alive ? ", killed" : ", had finished"));
        }
        System.out.println("kill test: " + kills);
        assertTrue(kills.stream().anyMatch(s -> s.endsWith("killed")), kills.toString());
        assertTrue(kills.stream().filter(s -> s.endsWith("killed") && !s.startsWith("started at generation 0,")).count() >= 1,
                "at least one kill after a resume made progress: " + kills);
        var eval = new Synthetic.CountingEvaluator();
        SearchLoop resumed = SearchLoop.resume(RunDirectory.open(dir), Synthetic.space(), Synthetic.factory(strategy),
                eval, RunLimits.generations(GENERATIONS), null, null);
        resumed.run();
        assertEquals(SearchLoopResumeTest.history(ref), SearchLoopResumeTest.history(RunDirectory.open(dir)), kills.toString());
        assertEquals(SearchLoopResumeTest.state(refLoop), SearchLoopResumeTest.state(resumed));
    }
}
