package dev.evomerge.optimizer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config's {@code evaluation.cluster} block. */
class ClusterSettingsTest {

    @TempDir
    Path dir;

    static final String BODY = "genome: {models: [a]}\ntasks: [{path: t.yaml}]\nsearch: {generations: 3}\n";

    @BeforeEach
    void task() throws IOException {
        Files.writeString(dir.resolve("t.yaml"), "name: t\ntype: loglik\ndata: rows.jsonl\n");
    }

    private SearchConfig load(String text) throws IOException {
        Path f = dir.resolve("search.yaml");
        Files.writeString(f, text);
        return SearchConfig.load(f);
    }

    @Test
    void withoutTheBlockThereIsNoCluster() throws IOException {
        assertFalse(load(BODY).evaluation().cluster().enabled());
        assertFalse(load(BODY + "evaluation: {merge_cache_mb: 5}\n").evaluation().cluster().enabled());
    }

    @Test
    void theBlockIsReadWithTheSecretFileBesideTheConfig() throws IOException {
        ClusterSettings c = load(BODY + """
                evaluation:
                  cluster:
                    members: [10.0.0.5:5701, "10.0.0.6:5702"]
                    secret_file: keys/secret
                    workers: 2
                    local_worker: true
                    wait_for_workers_s: 30
                    candidate_timeout_s: 900
                """).evaluation().cluster();
        assertEquals(new ClusterSettings(List.of("10.0.0.5:5701", "10.0.0.6:5702"), null,
                dir.resolve("keys/secret").toAbsolutePath().normalize(), 2, true, 30, 900), c);
        assertTrue(c.enabled());
        assertEquals(List.of("a:1", "b:2"), load(BODY + "evaluation: {cluster: {members: 'a:1, b:2'}}\n")
                .evaluation().cluster().members());
    }

    @Test
    void aSecretFileUnderHomeIsExpanded() throws IOException {
        assertEquals(Path.of(System.getProperty("user.home"), ".evomerge", "secret"),
                load(BODY + "evaluation: {cluster: {workers: 1, secret_file: ~/.evomerge/secret}}\n").evaluation().cluster()
                        .secretFile());
    }

    @Test
    void badEntriesAreOneLineErrorsNamingFileAndKey() {
        String unknown = error(BODY + "evaluation: {cluster: {member: [a]}}\n");
        assertTrue(unknown.startsWith(dir.resolve("search.yaml") + ": unknown key 'evaluation.cluster.member'"), unknown);
        String workers = error(BODY + "evaluation: {cluster: {workers: -1}}\n");
        assertTrue(workers.endsWith("search.yaml: evaluation.cluster.workers must be an integer >= 0"), workers);
        String many = error(BODY + "evaluation: {cluster: {workers: 5000000000}}\n");
        assertTrue(many.endsWith("search.yaml: evaluation.cluster.workers must be at most 256"), many);
        String wait = error(BODY + "evaluation: {cluster: {wait_for_workers_s: 10000000000}}\n");
        assertTrue(wait.contains("must be in (0, 1000000] seconds"), wait);
        String local = error(BODY + "evaluation: {cluster: {local_worker: maybe}}\n");
        assertTrue(local.endsWith("search.yaml: evaluation.cluster.local_worker must be true or false"), local);
        assertFalse(unknown.contains("\n"));
    }

    private String error(String text) {
        return assertThrows(IllegalArgumentException.class, () -> load(text)).getMessage();
    }
}
