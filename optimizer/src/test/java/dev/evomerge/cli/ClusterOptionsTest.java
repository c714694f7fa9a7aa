package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.optimizer.config.ClusterSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The cluster flags of {@code search}, the {@code worker} command's help, and what is refused before a run starts. */
class ClusterOptionsTest {

    @TempDir
    Path tmp;
    Path config;
    final StringWriter err = new StringWriter();

    @BeforeEach
    void zoo() throws IOException {
        Path base = SyntheticCheckpoints.llama(tmp.resolve("base"), 1, 16, 32, 32, DType.F32, 1);
        SyntheticCheckpoints.fineTune(base, tmp.resolve("ft1"), 0.05f, 2);
        Files.writeString(tmp.resolve("rows.jsonl"), "{\"text\": \"one two\", \"split\": \"search\"}\n");
        Files.writeString(tmp.resolve("lm.yaml"), "name: lm\ntype: loglik\ndata: rows.jsonl\n");
        config = tmp.resolve("search.yaml");
        Files.writeString(config, """
                genome: {models: [%s], merge_method: task_arithmetic, base_model: %s}
                tasks: [{path: lm.yaml}]
                search: {algorithm: cma-es, generations: 1, seed: 1}
                evaluation: {cluster: {members: [127.0.0.1:5999], workers: 3, wait_for_workers_s: 9}}
                """.formatted(tmp.resolve("ft1"), tmp.resolve("base")));
    }

    private int cli(String... args) {
        return Main.run(new PrintWriter(err, true), args);
    }

    @Test
    void flagsWinOverTheConfigBlock() {
        ClusterOptions options = new ClusterOptions();
        new CommandLine(options).parseArgs("--members", "127.0.0.1:7001, 127.0.0.1:7002", "--workers", "0",
                "--local-worker");
        ClusterSettings fromConfig = new ClusterSettings(List.of("127.0.0.1:5999"), "127.0.0.1:6000", null, 3, false, 9, 0);
        assertEquals(new ClusterSettings(List.of("127.0.0.1:7001", "127.0.0.1:7002"), "127.0.0.1:6000", null, 0, true, 9, 0),
                options.over(fromConfig));
        assertEquals(fromConfig, new ClusterOptions().over(fromConfig), "no flag, the config as written");
    }

    @Test
    void theCandidateTimeoutFlagWinsAndIsKeptForResume() {
        ClusterOptions options = new ClusterOptions();
        new CommandLine(options).parseArgs("--candidate-timeout", "900");
        ClusterSettings fromConfig = new ClusterSettings(List.of("127.0.0.1:5999"), null, null, 0, false, 9, 60);
        ClusterSettings given = options.over(fromConfig);
        assertEquals(900, given.candidateTimeoutSeconds());
        ClusterPlan plan = ClusterPlan.forNewRun(given);
        assertEquals(plan, ClusterPlan.fromJson(plan.toJson(new com.fasterxml.jackson.databind.ObjectMapper())),
                "launch.json keeps every setting, the timeout included");
    }

    @Test
    void aSecretFileUnderHomeIsExpandedAlikeForTheSearchAndTheWorker() {
        Path expected = Path.of(System.getProperty("user.home"), ".evomerge", "secret");
        ClusterOptions search = new ClusterOptions();
        new CommandLine(search).parseArgs("--secret-file", "~/.evomerge/secret");
        assertEquals(expected, search.over(ClusterSettings.NONE).secretFile());
        WorkerCommand worker = new WorkerCommand();
        new CommandLine(worker).parseArgs("--secret-file", "~/.evomerge/secret");
        assertEquals(expected, worker.secretFile());
        ClusterOptions relative = new ClusterOptions();
        new CommandLine(relative).parseArgs("--secret-file", "keys/secret");
        assertEquals(Path.of("keys/secret").toAbsolutePath(), relative.over(ClusterSettings.NONE).secretFile());
    }

    @Test
    void bindingBeyondLoopbackWithoutASecretIsRefusedBeforeTheRunIsMade() {
        Path run = tmp.resolve("run");
        assertEquals(Main.BAD_INPUT, cli("search", config.toString(), "--run", run.toString(), "--bind", "10.11.12.13:5701"));
        assertTrue(err.toString().startsWith("evomerge: binding to 10.11.12.13:5701 (beyond loopback) needs a cluster secret"),
                err.toString());
        assertFalse(Files.exists(run), "nothing left behind");
    }

    @Test
    void aSecretFileOthersCanReadIsRefusedBeforeTheRunIsMade() throws IOException {
        Path secret = tmp.resolve("secret");
        Files.writeString(secret, "a secret that is long enough\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-rw-r--"));
        Path run = tmp.resolve("run");
        assertEquals(Main.BAD_INPUT, cli("search", config.toString(), "--run", run.toString(), "--secret-file", secret.toString()));
        assertEquals("evomerge: " + secret + ": the secret file must be readable by its owner only (chmod 600 " + secret
                + "), it is rw-rw-r--", err.toString().strip());
        assertFalse(Files.exists(run));
    }

    @Test
    void workerHelpSaysWhatItDoesAndWhatTheSecretDoesNotProtect() {
        StringWriter out = new StringWriter();
        new CommandLine(new Main()).setOut(new PrintWriter(out, true)).execute("worker", "--help");
        String help = out.toString().replaceAll("\\s+", " ");
        for (String s : List.of("--members", "--bind", "--secret-file", "--device", "--merge-cache-mb", "--working-dir",
                "traffic is not encrypted")) {
            assertTrue(help.contains(s), s + " in:\n" + help);
        }
        assertFalse(help.contains("--exit-with-parent"), "an internal option stays hidden");
    }
}
