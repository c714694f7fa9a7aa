package dev.evomerge.cli;

import dev.evomerge.results.RunJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A four-row lm-evaluation-harness loglikelihood task ({@code qa.yaml} + {@code qa.jsonl}) and a chat template in a
 * tokenizer folder: what the chat-template searches score.
 */
final class ChatQaTask {

    /** A template of letters the synthetic tokenizer has: one line per turn, then the assistant's cue. */
    static final String TEMPLATE = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
            + "{% if add_generation_prompt %}assistant:{% endif %}";

    private ChatQaTask() {}

    /** Writes the task into {@code dir} and {@link #TEMPLATE} into {@code tokenizerDir}'s tokenizer_config.json. */
    static void write(Path dir, Path tokenizerDir) throws IOException {
        var tokenizerConfig = RunJson.mapper().createObjectNode();
        tokenizerConfig.put("chat_template", TEMPLATE);
        tokenizerConfig.put("bos_token", "<s>");
        Files.writeString(tokenizerDir.resolve("tokenizer_config.json"), tokenizerConfig.toString());
        Files.writeString(dir.resolve("qa.jsonl"), """
                {"q": "ab", "a": "cd"}
                {"q": "ef", "a": "gh"}
                {"q": "ij", "a": "kl"}
                {"q": "mn", "a": "op"}
                """);
        Files.writeString(dir.resolve("qa.yaml"), """
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
}
