package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
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

    /** A template of letters the synthetic tokenizer has: one line per turn, then the assistant's cue. */
    private static final String TEMPLATE = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
            + "{% if add_generation_prompt %}assistant:{% endif %}";

    @BeforeEach
    void zoo() throws IOException {
        Path base = SyntheticCheckpoints.llama(tmp.resolve("base"), 2, 32, 64, 64, DType.F32, 1);
        SyntheticCheckpoints.fineTune(base, tmp.resolve("ft1"), 0.05f, 2);
        SyntheticCheckpoints.fineTune(base, tmp.resolve("ft2"), 0.05f, 3);
        var tokenizerConfig = dev.evomerge.results.RunJson.mapper().createObjectNode();
        tokenizerConfig.put("chat_template", TEMPLATE);
        tokenizerConfig.put("bos_token", "<s>");
        Files.writeString(base.resolve("tokenizer_config.json"), tokenizerConfig.toString());
        Files.writeString(tmp.resolve("qa.jsonl"), """
                {"q": "ab", "a": "cd"}
                {"q": "ef", "a": "gh"}
                {"q": "ij", "a": "kl"}
                {"q": "mn", "a": "op"}
                """);
        Files.writeString(tmp.resolve("qa.yaml"), """
                task: qa
                dataset_path: json
                dataset_kwargs: {data_files: {test: qa.jsonl}}
                test_split: test
                output_type: loglikelihood
                doc_to_text: "q: {{q}} a:"
                doc_to_target: " {{a}}"
                metric_list:
                  - metric: perplexity
                """);
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
