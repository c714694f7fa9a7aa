package dev.evomerge.eval.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.eval.task.Task;
import dev.evomerge.eval.task.TaskRow;
import dev.evomerge.eval.task.TaskSplit;
import dev.evomerge.eval.tokenizer.ModelTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo zoo: reproducible, loadable, with clean task splits. */
@Tag("slow")
class DemoZooTest {

    @TempDir
    Path tmp;

    @Test
    void twoBuildsOfTheSameSettingsGiveBitIdenticalWeightsAndASecondCallReusesTheFirst() throws IOException {
        ZooSettings s = ZooSettings.tiny();
        Path a = DemoZoo.build(tmp.resolve("a"), s, DemoZoo.Listener.QUIET);
        Path b = DemoZoo.build(tmp.resolve("b"), s, DemoZoo.Listener.QUIET);
        for (String model : List.of("base", "math", "script", "reverse")) {
            for (String file : List.of("model.safetensors", "config.json", "tokenizer.json")) {
                assertArrayEquals(Files.readAllBytes(a.resolve(model).resolve(file)),
                        Files.readAllBytes(b.resolve(model).resolve(file)), model + "/" + file);
            }
        }
        // The experts really moved away from the base.
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.resolve("base/model.safetensors")),
                Files.readAllBytes(a.resolve("math/model.safetensors"))));

        long stamp = Files.getLastModifiedTime(a.resolve("base/model.safetensors")).toMillis();
        assertTrue(DemoZoo.isBuilt(a, s));
        DemoZoo.build(a, s, DemoZoo.Listener.QUIET);
        assertEquals(stamp, Files.getLastModifiedTime(a.resolve("base/model.safetensors")).toMillis());
        assertFalse(DemoZoo.isBuilt(a, s.withStages(new TrainingStage(61, 16, 3e-3, 11), s.expert())));
    }

    @Test
    void theTokenizerWrittenWithTheModelsEncodesAsTheTrainerDid() {
        ZooSettings s = ZooSettings.tiny();
        Path zoo = DemoZoo.build(tmp.resolve("z"), s, DemoZoo.Listener.QUIET);
        try (ModelTokenizer t = ModelTokenizer.load(zoo.resolve("script"))) {
            String text = "t:3745=dhef\n";
            int[] ids = t.encode(text);
            assertEquals(text.length() + 1, ids.length);
            assertEquals(DemoSkill.VOCABULARY.indexOf("<s>"), ids[0]);
            for (int i = 0; i < text.length(); i++) {
                assertEquals(DemoSkill.VOCABULARY.indexOf(String.valueOf(text.charAt(i))), ids[i + 1], "char " + i);
            }
            assertEquals(text, t.decode(java.util.Arrays.copyOfRange(ids, 1, ids.length)));
        }
    }

    @Test
    void taskFilesHoldDistinctPromptsSplitIntoSearchAndTestRows() {
        ZooSettings s = ZooSettings.tiny();
        Path zoo = DemoZoo.build(tmp.resolve("z"), s, DemoZoo.Listener.QUIET);
        Set<String> prompts = new HashSet<>();
        for (DemoSkill skill : List.of(DemoSkill.ADD, DemoSkill.TRANSLIT, DemoSkill.REVERSE, DemoSkill.ADD_LETTERS)) {
            Task t = Task.load(zoo.resolve("tasks").resolve(skill.taskName() + ".yaml"));
            assertEquals(s.searchRows(), t.rows(TaskSplit.SEARCH).size());
            assertEquals(s.testRows(), t.rows(TaskSplit.TEST).size());
            for (TaskRow r : t.rows(TaskSplit.ALL)) {
                assertTrue(prompts.add(((TaskRow.Generate) r).prompt()), "repeated prompt " + r);
            }
        }
    }

    @Test
    void theOnePassAccuracyAgreesWithTokenByTokenGeneration() {
        ZooSettings s = ZooSettings.tiny();
        Path zoo = DemoZoo.build(tmp.resolve("z"), s, DemoZoo.Listener.QUIET);
        Task task = Task.load(zoo.resolve("tasks/translit.yaml"));
        List<DemoSkill.Example> rows = task.rows(TaskSplit.ALL).stream()
                .map(r -> (TaskRow.Generate) r).map(g -> new DemoSkill.Example(g.prompt(), g.answer())).toList();
        try (var w = dev.evomerge.eval.runtime.ModelWeights.load(zoo.resolve("script"),
                dev.evomerge.eval.runtime.ComputeDevice.CPU);
             ModelTokenizer t = ModelTokenizer.load(zoo.resolve("script"))) {
            var lm = dev.evomerge.eval.runtime.LanguageModel.of(w);
            double generated = new dev.evomerge.eval.task.TaskRunner(lm, t).run(task, TaskSplit.ALL, 0).score();
            assertEquals(generated, DemoZoo.accuracy(lm, rows), 1e-12);
        }
    }

    @Test
    void skillsAnswerAsTheirDescriptionsSay() {
        var rng = new java.util.SplittableRandom(5);
        for (int i = 0; i < 50; i++) {
            DemoSkill.Example add = DemoSkill.ADD.sample(rng);
            String[] ab = add.prompt().replace("=", "").split("\\+");
            assertEquals(Integer.parseInt(ab[0]) + Integer.parseInt(ab[1]), Integer.parseInt(add.answer()));
            DemoSkill.Example rev = DemoSkill.REVERSE.sample(rng);
            assertEquals(new StringBuilder(rev.prompt().substring(2, rev.prompt().length() - 1)).reverse().toString(),
                    rev.answer());
            DemoSkill.Example letters = DemoSkill.ADD_LETTERS.sample(rng);
            assertTrue(letters.answer().chars().allMatch(c -> c >= 'a' && c <= 'j'), letters.toString());
        }
        assertEquals("dhef", DemoSkill.letters("3745"));
    }
}
