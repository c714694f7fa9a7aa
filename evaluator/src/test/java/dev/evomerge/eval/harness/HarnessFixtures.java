package dev.evomerge.eval.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes made-up task files and data into a test's temporary folder. */
final class HarnessFixtures {

    static Path write(Path dir, String name, String... lines) {
        Path p = dir.resolve(name);
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static HarnessTask compile(Path yaml, Path dataDir) {
        return HarnessTask.compile(HarnessSpec.load(yaml), new HarnessTask.Options(dataDir, -1));
    }

    /** A GSM8K-shaped task file (lm-evaluation-harness's gsm8k.yaml in form) with 2 shots. */
    static Path gsm8k(Path dir) {
        write(dir, "data/gsm8k/main/train.jsonl",
                "{\"question\": \"q0\", \"answer\": \"a0\\n#### 0\"}",
                "{\"question\": \"q1\", \"answer\": \"a1\\n#### 1\"}",
                "{\"question\": \"q2\", \"answer\": \"a2\\n#### 2\"}",
                "{\"question\": \"q3\", \"answer\": \"a3\\n#### 3\"}");
        write(dir, "data/gsm8k/main/test.jsonl",
                "{\"question\": \"t0\", \"answer\": \"b0\\n#### 10\"}",
                "{\"question\": \"t1\", \"answer\": \"b1\\n#### 11\"}");
        return write(dir, "tasks/gsm8k.yaml",
                "tag: [math_word_problems]",
                "task: gsm8k",
                "dataset_path: gsm8k",
                "dataset_name: main",
                "output_type: generate_until",
                "training_split: train",
                "fewshot_split: train",
                "test_split: test",
                "doc_to_text: \"Question: {{question}}\\nAnswer:\"",
                "doc_to_target: \"{{answer}}\"",
                "metric_list:",
                "  - metric: exact_match",
                "    aggregation: mean",
                "    higher_is_better: true",
                "    ignore_case: true",
                "    ignore_punctuation: false",
                "    regexes_to_ignore: [\",\", \"\\\\$\", \"(?s).*#### \", \"\\\\.$\"]",
                "generation_kwargs:",
                "  until: [\"Question:\", \"</s>\", \"<|im_end|>\"]",
                "  do_sample: false",
                "  temperature: 0.0",
                "repeats: 1",
                "num_fewshot: 2",
                "filter_list:",
                "  - name: strict-match",
                "    filter:",
                "      - function: regex",
                "        regex_pattern: \"#### (\\\\-?[0-9\\\\.\\\\,]+)\"",
                "      - function: take_first",
                "  - name: flexible-extract",
                "    filter:",
                "      - function: regex",
                "        group_select: -1",
                "        regex_pattern: \"(-?[$0-9.,]{2,})|(-?[0-9]+)\"",
                "      - function: take_first",
                "metadata:",
                "  version: 3.0");
    }

    private HarnessFixtures() {
    }
}
