package dev.evomerge.optimizer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchConfigTest {

    @TempDir
    Path dir;

    @BeforeEach
    void tasks() throws IOException {
        Files.createDirectories(dir.resolve("tasks"));
        Files.writeString(dir.resolve("tasks/math.yaml"), "name: math\ntype: generate\ndata: math.jsonl\n");
        Files.writeString(dir.resolve("tasks/lang.yaml"), "name: lang\ntype: loglik\ndata: lang.jsonl\n");
    }

    private SearchConfig load(String yaml) throws IOException {
        Path file = dir.resolve("search.yaml");
        Files.writeString(file, yaml);
        return SearchConfig.load(file);
    }

    private String error(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void readsGenomeTasksAndSearchSettings() throws IOException {
        SearchConfig c = load("""
                genome:
                  models: [a, b]
                  merge_method: ties
                  base_model: base
                tasks:
                  - path: tasks/math.yaml
                    weight: 2.0
                  - name: lang
                search: {algorithm: m2n2, population: 12, generations: 30, seed: 7}
                """);
        assertEquals("ties", c.genome().get("merge_method").asText());
        assertEquals(dir.resolve("tasks/math.yaml"), c.tasks().get(0).path());
        assertEquals(2.0, c.tasks().get(0).weight());
        assertEquals(dir.resolve("tasks/lang.yaml"), c.tasks().get(1).path(), "found by its name");
        assertEquals(1.0, c.tasks().get(1).weight());
        assertEquals(new SearchSettings("m2n2", 12, 30, 0, 7, java.util.List.of()), c.search());
    }

    @Test
    void unknownAlgorithmIsNamed() {
        String m = error("genome: {models: [a]}\ntasks: [{path: tasks/math.yaml}]\nsearch: {algorithm: pso, generations: 3}\n");
        assertTrue(m.contains("search.algorithm: unknown algorithm 'pso'"), m);
    }

    @Test
    void missingTaskFileIsNamed() {
        String m = error("genome: {models: [a]}\ntasks: [{path: tasks/nope.yaml}]\nsearch: {generations: 3}\n");
        assertTrue(m.contains("tasks[0].path: task file") && m.contains("nope.yaml does not exist"), m);
    }

    @Test
    void unknownTaskNameIsNamed() {
        String m = error("genome: {models: [a]}\ntasks: [{name: poetry}]\nsearch: {generations: 3}\n");
        assertTrue(m.contains("no task named 'poetry'"), m);
    }

    @Test
    void unknownKeyIsNamed() {
        String m = error("genome: {models: [a]}\ntasks: [{path: tasks/math.yaml}]\nsearch: {generations: 3, popsize: 4}\n");
        assertTrue(m.contains("unknown key 'search.popsize'"), m);
    }

    /** Jackson would read {@code *g} as the string "g"; refused at its line instead. */
    @Test
    void anAliasIsRefusedAtItsLine() {
        String m = error("genome: {models: [a]}\ntasks: [{path: tasks/math.yaml}]\nsearch: {generations: &g 3,\n"
                + "  max_evaluations: *g}\n");
        assertTrue(m.endsWith(":4: YAML aliases (*g) are not supported here; write the value out"), m);
    }

    @Test
    void aBudgetIsRequired() {
        String m = error("genome: {models: [a]}\ntasks: [{path: tasks/math.yaml}]\nsearch: {algorithm: ga}\n");
        assertTrue(m.contains("set generations or max_evaluations"), m);
    }

    @Test
    void mergeCacheBudgetComesFromTheEvaluationSectionOrTheDefault() throws IOException {
        String body = "genome: {models: [a]}\ntasks: [{path: tasks/math.yaml}]\nsearch: {generations: 3}\n";
        assertEquals(EvaluationSettings.DEFAULT_MERGE_CACHE_MB, load(body).evaluation().mergeCacheMb());
        assertEquals(0, load(body + "evaluation: {merge_cache_mb: 0}\n").evaluation().mergeCacheMb());
        assertEquals(256, load(body + "evaluation:\n  merge_cache_mb: 256\n").evaluation().mergeCacheMb());
    }

    @Test
    void badEvaluationKeysAreOneLineErrors() {
        String body = "genome: {models: [a]}\ntasks: [{path: tasks/math.yaml}]\nsearch: {generations: 3}\n";
        String unknown = error(body + "evaluation: {merge_cache_gb: 1}\n");
        assertTrue(unknown.contains("search.yaml: unknown key 'evaluation.merge_cache_gb'"), unknown);
        String negative = error(body + "evaluation: {merge_cache_mb: -5}\n");
        assertTrue(negative.contains("evaluation.merge_cache_mb must be an integer >= 0"), negative);
        assertFalse(unknown.contains("\n") || negative.contains("\n"));
    }

    @Test
    void aBudgetOfEvaluationsAloneIsASearch() throws IOException {
        SearchConfig c = load("genome: {models: [a]}\ntasks: [{path: tasks/math.yaml}]\n"
                + "search: {algorithm: random, max_evaluations: 150}\n");
        assertEquals(150, c.search().maxEvaluations());
        assertEquals(0, c.search().generations());
        assertEquals(M2n2Settings.DEFAULT, c.search().m2n2());
    }

    @Test
    void m2n2MechanismsCanBeSwitchedOffAndTheirKeysAreChecked() throws IOException {
        SearchConfig c = load("genome: {models: [a]}\ntasks: [{path: tasks/math.yaml}]\n"
                + "search: {algorithm: m2n2, max_evaluations: 150, m2n2: {attraction: false, alpha: 0, mutation: 0.1}}\n");
        assertEquals(new M2n2Settings(0, false, true, true, 0.1, 4), c.search().m2n2());
        String m = error("genome: {models: [a]}\ntasks: [{path: tasks/math.yaml}]\n"
                + "search: {algorithm: m2n2, generations: 3, m2n2: {atraction: false}}\n");
        assertTrue(m.endsWith("search.yaml: unknown key 'search.m2n2.atraction' (expected one of alpha, attraction,"
                + " children, crossover, mutation, split_point)"), m);
        m = error("genome: {models: [a]}\ntasks: [{path: tasks/math.yaml}]\n"
                + "search: {algorithm: m2n2, generations: 3, m2n2: {children: 0}}\n");
        assertTrue(m.endsWith("search.yaml: search.m2n2.children: must be >= 1, got 0"), m);
    }
}
