package dev.evomerge.optimizer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mergekit-evolve configs as written for mergekit-evolve, with lm-evaluation-harness tasks found by name. */
class MergekitEvolveConfigTest {

    @TempDir
    Path dir;

    private static final String CONFIG = """
            genome:
              models: [a, b]
              merge_method: task_arithmetic
              base_model: base
              layer_granularity: 4
            tasks:
              - name: arc_mini
                weight: 0.5
                metric: "acc_norm,none"
              - name: gsm_mini
            limit: 25
            num_fewshot: 2
            shuffle: true
            random_init: false
            """;

    private Path search() throws IOException {
        Files.createDirectories(dir.resolve("lm/arc"));
        Files.createDirectories(dir.resolve("lm/gsm"));
        // A task file may carry Python tags; the lookup only reads its task: name.
        Files.writeString(dir.resolve("lm/arc/arc_mini.yaml"), "task: arc_mini\nprocess_docs: !function utils.p\n");
        Files.writeString(dir.resolve("lm/gsm/base.yaml"), "output_type: generate_until\n");
        Files.writeString(dir.resolve("lm/gsm/gsm_mini.yaml"), "include: base.yaml\ntask: gsm_mini\n");
        return dir.resolve("lm");
    }

    private Path config(String text) throws IOException {
        Path elsewhere = Files.createDirectories(dir.resolve("configs"));
        Path file = elsewhere.resolve("evolve.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void taskNamesAreLookedUpByTheirTaskKeyUnderTheTaskSearchPath() throws IOException {
        Path lm = search();
        SearchConfig c = SearchConfig.load(config(CONFIG), List.of(lm));
        assertEquals(lm.resolve("arc/arc_mini.yaml").toAbsolutePath(), c.tasks().get(0).path());
        assertEquals("acc_norm,none", c.tasks().get(0).metric());
        assertEquals(0.5, c.tasks().get(0).weight());
        assertEquals(lm.resolve("gsm/gsm_mini.yaml").toAbsolutePath(), c.tasks().get(1).path());
        assertNull(c.tasks().get(1).metric());
        assertEquals(new EvolveTaskSettings(25, 2), c.taskSettings());
    }

    @Test
    void withoutASearchSectionItRunsMergekitEvolvesDefaultBudget() throws IOException {
        SearchConfig c = SearchConfig.load(config(CONFIG), List.of(search()));
        assertEquals(SearchConfig.MERGEKIT_EVOLVE_SEARCH, c.search());
        assertEquals(100, c.search().maxEvaluations());
    }

    @Test
    void anUnknownTaskNameSaysWhereItWasLookedFor() throws IOException {
        Path lm = search();
        Path file = config(CONFIG.replace("gsm_mini", "gsm_maxi"));
        String m = assertThrows(IllegalArgumentException.class, () -> SearchConfig.load(file, List.of(lm))).getMessage();
        assertTrue(m.startsWith(file + ": tasks[1].name: no task named 'gsm_maxi'"), m);
        assertTrue(m.endsWith("or under --task-search-path [" + lm + "]"), m);
    }

    @Test
    void chatTemplateSettingsAreRead() throws IOException {
        Path lm = search();
        SearchConfig c = SearchConfig.load(config(CONFIG + "apply_chat_template: true\nfewshot_as_multiturn: true\n"),
                List.of(lm));
        assertEquals(new EvolveTaskSettings(25, 2, true, true), c.taskSettings());
        assertEquals(new EvolveTaskSettings(25, 2, true, false),
                SearchConfig.load(config(CONFIG + "apply_chat_template: true\n"), List.of(lm)).taskSettings());
    }

    @Test
    void multiturnFewshotWithoutAChatTemplateIsRefusedByName() throws IOException {
        Path lm = search();
        Path file = config(CONFIG + "fewshot_as_multiturn: true\n");
        String m = assertThrows(IllegalArgumentException.class, () -> SearchConfig.load(file, List.of(lm))).getMessage();
        assertEquals(file + ": fewshot_as_multiturn: needs apply_chat_template: true", m);
    }
}
