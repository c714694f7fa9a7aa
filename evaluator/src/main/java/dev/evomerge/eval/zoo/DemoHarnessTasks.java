package dev.evomerge.eval.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo's tasks again as lm-evaluation-harness task files ({@code tasks/lm-eval/<name>.yaml}, data in
 * {@code tasks/lm-eval/<name>/validation.jsonl} and {@code test.jsonl}): the same rows, the search rows as the
 * validation split and the held-out rows as the test split, scored by {@code exact_match} on a greedy
 * generation up to the newline, as the own-format files score them.
 *
 * {@snippet :
 * DemoHarnessTasks.write(Path.of("results/demo/zoo/tasks"));
 * // evomerge eval results/demo/zoo/math --task results/demo/zoo/tasks/lm-eval/add.yaml
 * }
 */
public final class DemoHarnessTasks {

    public static final String FOLDER = "lm-eval";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes the lm-evaluation-harness version of every own-format task in {@code tasksDir}. */
    public static void write(Path tasksDir) {
        try (Stream<Path> files = Files.list(tasksDir)) {
            for (Path rows : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                String name = rows.getFileName().toString().replace(".jsonl", "");
                writeOne(tasksDir.resolve(FOLDER), name, Files.readAllLines(rows, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(tasksDir + ": " + e.getMessage(), e);
        }
    }

    private static void writeOne(Path dir, String name, List<String> lines) throws IOException {
        StringBuilder validation = new StringBuilder();
        StringBuilder test = new StringBuilder();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode row = JSON.readTree(line);
            ObjectNode doc = JSON.createObjectNode();
            doc.put("prompt", row.get("prompt").asText());
            doc.put("answer", row.get("answer").asText());
            ("search".equals(row.path("split").asText()) ? validation : test).append(JSON.writeValueAsString(doc)).append('\n');
        }
        Files.createDirectories(dir.resolve(name));
        Files.writeString(dir.resolve(name).resolve("validation.jsonl"), validation, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(name).resolve("test.jsonl"), test, StandardCharsets.UTF_8);
        String yaml = "# The demo's " + name + " task as an lm-evaluation-harness task file (written by the zoo build)\n"
                + "task: " + name + "\n"
                + "dataset_path: json\n"
                + "dataset_kwargs:\n"
                + "  data_files:\n"
                + "    validation: " + name + "/validation.jsonl\n"
                + "    test: " + name + "/test.jsonl\n"
                + "validation_split: validation\n"
                + "test_split: test\n"
                + "output_type: generate_until\n"
                + "doc_to_text: \"{{prompt}}\"\n"
                + "doc_to_target: \"{{answer}}\"\n"
                + "target_delimiter: \"\"\n"
                + "generation_kwargs:\n"
                + "  until: [\"\\n\"]\n"
                + "  max_gen_toks: 6\n"
                + "  do_sample: false\n"
                + "metric_list:\n"
                + "  - metric: exact_match\n"
                + "    aggregation: mean\n"
                + "    higher_is_better: true\n"
                + "metadata:\n"
                + "  version: 1.0\n";
        Files.writeString(dir.resolve(name + ".yaml"), yaml, StandardCharsets.UTF_8);
    }

    private DemoHarnessTasks() {
    }
}
