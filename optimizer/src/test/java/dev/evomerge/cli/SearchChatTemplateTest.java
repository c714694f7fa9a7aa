package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.evomerge.eval.RecipeScorer;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.task.TaskSplit;
import dev.evomerge.optimizer.cluster.CandidateJob;
import dev.evomerge.optimizer.cluster.TaskScore;
import dev.evomerge.optimizer.config.SearchConfig;
import dev.evomerge.plan.MergedTensorCache;
import dev.evomerge.recipe.MergeRecipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A search config's apply_chat_template: the search and its cluster workers render prompts through it alike. */
class SearchChatTemplateTest {

    @TempDir
    Path tmp;

    @BeforeEach
    void zoo() throws IOException {
        Path base = SearchZoo.models(tmp);
        ChatQaTask.write(tmp, base);
    }

    private SearchConfig config(String chat) throws IOException {
        Path c = tmp.resolve("search.yaml");
        Files.writeString(c, """
                genome:
                  models: [ft1, ft2]
                  merge_method: task_arithmetic
                  base_model: base
                  layer_granularity: 1
                tasks:
                  - path: qa.yaml
                search: {algorithm: random, generations: 1, seed: 3}
                %s
                """.formatted(chat));
        return SearchConfig.load(c);
    }

    @Test
    void theSearchRendersItsPromptsThroughTheCandidatesChatTemplate() throws IOException {
        RunSession.Prepared prepared = new RunSession(config("apply_chat_template: true"), tmp, ComputeDevice.CPU, 0)
                .prepare();
        assertEquals(tmp.resolve("base"), prepared.chatTemplateDir(), "the merge's tokenizer: its base model's");
        RunSession.Prepared plain = new RunSession(config(""), tmp, ComputeDevice.CPU, 0).prepare();
        assertEquals(null, plain.chatTemplateDir());
        String text = plain.tasks().getFirst().harness().search().getFirst().context();
        assertEquals("q: ab a:", text.replaceAll("[a-z]{2} a:$", "ab a:"), "a plain prompt: " + text);
        assertEquals("user: " + text + "\nassistant:", prepared.tasks().getFirst().harness().search().getFirst().context());
    }

    @Test
    void aWorkerGivenTheChatTemplateScoresAsTheSearchsOwnProcess() throws IOException {
        RunSession.Prepared prepared = new RunSession(config("apply_chat_template: true"), tmp, ComputeDevice.CPU, 0)
                .prepare();
        MergeRecipe recipe = prepared.space().decode(SearchWiring.midpoint(prepared.space()));
        List<TaskScore> own;
        try (RecipeScorer scorer = new RecipeScorer(prepared.tasks(), TaskSplit.SEARCH, 0, tmp, ComputeDevice.CPU,
                MergedTensorCache.disabled())) {
            own = SearchWiring.taskScores(scorer.score(recipe));
        }
        CandidateJob.TaskSettings plain = CandidateJob.TaskSettings.of(List.of("qa.yaml"), 0);
        try (WorkerScoring worker = new WorkerScoring(ComputeDevice.CPU, 0, null)) {
            TaskScore chat = worker.score(new CandidateJob(recipe.contentHash(), recipe.toYaml(), Map.of(),
                    tmp.toString(), plain.withChatTemplate("base", false))).getFirst();
            assertEquals(own.getFirst().score(), chat.score());
            assertArrayEquals(own.getFirst().examples(), chat.examples());
            TaskScore without = worker.score(new CandidateJob(recipe.contentHash(), recipe.toYaml(), Map.of(),
                    tmp.toString(), plain)).getFirst();
            assertNotEquals(own.getFirst().score(), without.score(), "the template changes what is scored");
        }
    }
}
