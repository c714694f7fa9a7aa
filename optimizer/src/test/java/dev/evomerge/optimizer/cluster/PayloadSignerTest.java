package dev.evomerge.optimizer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed envelopes and the secret they are signed with. */
class PayloadSignerTest {

    @TempDir
    Path tmp;

    final PayloadSigner signer = new PayloadSigner(ClusterSecret.of("sixteen chars at least"));

    @Test
    void aSealedEnvelopeOpensToWhatWasSealed() throws Exception {
        String e = signer.seal("task", "run-1", "{\"x\":1}");
        assertEquals(new PayloadSigner.Opened("task", "run-1", "{\"x\":1}"), signer.open(e));
    }

    @Test
    void anotherSecretAnAlteredBodyOrAnotherRunDoNotVerify() {
        String e = signer.seal("scored", "run-1", "{\"score\":0.5}");
        PayloadSigner other = new PayloadSigner(ClusterSecret.of("a different secret value"));
        assertThrows(PayloadSigner.ForgedPayloadException.class, () -> other.open(e));
        assertThrows(PayloadSigner.ForgedPayloadException.class, () -> signer.open(e.replace("0.5", "0.9")));
        assertThrows(PayloadSigner.ForgedPayloadException.class, () -> signer.open(e.replace("run-1", "run-2")));
        assertThrows(PayloadSigner.ForgedPayloadException.class, () -> signer.open("not json"));
    }

    @Test
    void scoresCrossTheWireBitForBit() throws IOException {
        double[] examples = {0.1 + 0.2, -1.0 / 3, Double.MIN_VALUE, 1e-300};
        var sent = new WorkerMessage.Scored("id", "127.0.0.1:5701", "h", 1.5, List.of(new TaskScore("t", Math.PI, examples)));
        var back = (WorkerMessage.Scored) WireFormat.message(WireFormat.SCORED, WireFormat.message(sent));
        assertEquals(Math.PI, back.tasks().getFirst().score());
        double[] got = back.tasks().getFirst().examples();
        for (int i = 0; i < examples.length; i++) {
            assertEquals(Double.doubleToRawLongBits(examples[i]), Double.doubleToRawLongBits(got[i]));
        }
        assertNull(back.tasks().getFirst().metrics(), "a task scored without named metrics");
        var named = new TaskScore("gsm8k", 0.5, new double[] {1, 0}, new dev.evomerge.results.TaskMetrics(
                "exact_match,flexible-extract", Map.of("exact_match,strict-match", 0.25, "exact_match,flexible-extract", 0.5)));
        var withMetrics = (WorkerMessage.Scored) WireFormat.message(WireFormat.SCORED, WireFormat.message(
                new WorkerMessage.Scored("id", "127.0.0.1:5701", "h", 1.5, List.of(named))));
        assertEquals(named.metrics(), withMetrics.tasks().getFirst().metrics());
        var job = new CandidateJob("h", "merge_method: linear\n", Map.of("merged:x", "y: 1\n"), List.of("a.yaml"), 3, "/w");
        assertEquals(job, WireFormat.job(WireFormat.job(job)));
        // the task settings a worker needs to score lm-evaluation-harness tasks as the search would
        var harness = new CandidateJob("h", "merge_method: linear\n", Map.of(), "/w",
                CandidateJob.TaskSettings.of(List.of("a.yaml", "b.yaml"), 3).withMetrics(List.of("acc_norm,none", ""))
                        .withData("/data", 5));
        assertEquals(harness, WireFormat.job(WireFormat.job(harness)));
        // and the chat template that renders the prompts
        var chat = new CandidateJob("h", "merge_method: linear\n", Map.of(), "/w",
                harness.tasks().withChatTemplate("models/base", true));
        assertEquals(chat, WireFormat.job(WireFormat.job(chat)));
        assertEquals("models/base", WireFormat.job(WireFormat.job(chat)).tasks().chatTemplateDir());
    }

    @Test
    void aSecretFileOthersCanReadIsRefused() throws IOException {
        Path f = tmp.resolve("secret");
        Files.writeString(f, "a secret that is long enough\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterSecret.fromFile(f));
        assertTrue(e.getMessage().startsWith(f + ": the secret file must be readable by its owner only"), e.getMessage());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertTrue(ClusterSecret.fromFile(f).isGiven());
    }

    @Test
    void withoutASecretOnlyLoopbackMayBeBound() {
        assertFalse(ClusterSecret.resolve(null, Map.of()).isGiven());
        assertTrue(ClusterSecret.resolve(null, Map.of(ClusterSecret.ENVIRONMENT, "from the environment")).isGiven());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterMember.checkBind(new ClusterMember.Bind("10.1.2.3", 5701), ClusterSecret.none()));
        assertTrue(e.getMessage().startsWith("binding to 10.1.2.3:5701 (beyond loopback) needs a cluster secret"), e.getMessage());
        ClusterMember.checkBind(new ClusterMember.Bind("127.0.0.1", 5701), ClusterSecret.none());
    }
}
