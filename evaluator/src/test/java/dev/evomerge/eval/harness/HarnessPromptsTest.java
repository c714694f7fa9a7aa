package dev.evomerge.eval.harness;

import static dev.evomerge.eval.harness.HarnessFixtures.compile;
import static dev.evomerge.eval.harness.HarnessFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompts of tasks shaped as lm-evaluation-harness's GSM8K, ARC, PIQA, LAMBADA and MGSM, against prompts
 * written out by hand from its rules. Few-shot draws: CPython's {@code random.Random(1234)} gives
 * {@code sample(range(4), 2) == [3, 0]} and then {@code [0, 3]}; {@code sample(range(3), 2) == [1, 0]}, then
 * {@code [0, 2]}.
 */
class HarnessPromptsTest {

    @TempDir
    Path dir;

    @Test
    void gsm8kFewshotExamplesComeFromOneSamplerDrawnThroughTheDocumentsInOrder() {
        HarnessTask t = compile(HarnessFixtures.gsm8k(dir), dir.resolve("data"));
        assertEquals("Question: q3\nAnswer: a3\n#### 3\n\nQuestion: q0\nAnswer: a0\n#### 0\n\nQuestion: t0\nAnswer:",
                t.test().get(0).context());
        assertEquals("Question: q0\nAnswer: a0\n#### 0\n\nQuestion: q3\nAnswer: a3\n#### 3\n\nQuestion: t1\nAnswer:",
                t.test().get(1).context());
        assertEquals(List.of("b0\n#### 10"), t.test().get(0).targets());
        assertEquals(List.of("Question:", "</s>", "<|im_end|>"), t.spec().until());
    }

    @Test
    void gsm8kSearchesOnTrainingRowsThatAreNeverItsFewshotExamples() {
        HarnessTask t = compile(HarnessFixtures.gsm8k(dir), dir.resolve("data"));
        assertEquals(1, t.search().size());
        String row = t.search().getFirst().context();
        String question = row.substring(row.lastIndexOf("Question: ") + 10, row.lastIndexOf("\nAnswer:"));
        String shots = row.substring(0, row.lastIndexOf("Question: "));
        assertFalse(shots.contains("Question: " + question + "\n"), row);
        assertEquals("train", t.search().getFirst().split());
    }

    @Test
    void arcChoicesFollowTheTargetDelimiterAndTheGoldIsTheLabelsIndex() {
        write(dir, "data/ai2_arc/ARC-Easy/test.jsonl",
                "{\"question\": \"Which is hot?\", \"choices\": {\"text\": [\"ice\", \"the sun\", \"snow\"], "
                        + "\"label\": [\"A\", \"B\", \"C\"]}, \"answerKey\": \"B\"}");
        write(dir, "data/ai2_arc/ARC-Easy/validation.jsonl",
                "{\"question\": \"Which is wet?\", \"choices\": {\"text\": [\"water\", \"sand\"], "
                        + "\"label\": [\"1\", \"2\"]}, \"answerKey\": \"1\"}");
        Path yaml = write(dir, "arc_easy.yaml",
                "task: arc_easy",
                "dataset_path: ai2_arc",
                "dataset_name: ARC-Easy",
                "output_type: multiple_choice",
                "validation_split: validation",
                "test_split: test",
                "doc_to_text: \"Question: {{question}}\\nAnswer:\"",
                "doc_to_target: \"{{choices.label.index(answerKey)}}\"",
                "doc_to_choice: \"{{choices.text}}\"",
                "metric_list:",
                "  - metric: acc",
                "  - metric: acc_norm");
        HarnessTask t = compile(yaml, dir.resolve("data"));
        HarnessDoc d = t.test().getFirst();
        assertEquals("Question: Which is hot?\nAnswer:", d.context());
        assertEquals(List.of(" ice", " the sun", " snow"), d.continuations());
        assertEquals(List.of(1), d.gold());
        assertEquals("validation", t.search().getFirst().split());
        assertEquals(List.of(0), t.search().getFirst().gold());
    }

    @Test
    void piqaChoicesFromAListLiteralAndFirstNExamplesFromDataFiles() {
        write(dir, "piqa/train.json", "[{\"goal\": \"g0\", \"sol1\": \"s0a\", \"sol2\": \"it's b\", \"label\": 1},",
                " {\"goal\": \"g1\", \"sol1\": \"s1a\", \"sol2\": \"s1b\", \"label\": 0},",
                " {\"goal\": \"g2\", \"sol1\": \"s2a\", \"sol2\": \"s2b\", \"label\": 0}]");
        write(dir, "piqa/valid.jsonl", "{\"goal\": \"v0\", \"sol1\": \"x\", \"sol2\": \"y\", \"label\": 1}");
        Path yaml = write(dir, "piqa.yaml",
                "task: piqa",
                "dataset_path: json",
                "dataset_kwargs:",
                "  data_files: {train: piqa/train.json, validation: piqa/valid.jsonl}",
                "output_type: multiple_choice",
                "training_split: train",
                "validation_split: validation",
                "doc_to_text: \"Question: {{goal}}\\nAnswer:\"",
                "doc_to_target: label",
                "doc_to_choice: \"{{[sol1, sol2]}}\"",
                "num_fewshot: 2",
                "fewshot_config:",
                "  sampler: first_n");
        HarnessTask t = compile(yaml, null);
        HarnessDoc d = t.test().getFirst();
        // The evaluation split is validation (no test_split); examples are the first two training rows.
        assertEquals("Question: g0\nAnswer: it's b\n\nQuestion: g1\nAnswer: s1a\n\nQuestion: v0\nAnswer:", d.context());
        assertEquals(List.of(" x", " y"), d.continuations());
        assertEquals(List.of(1), d.gold());
    }

    @Test
    void lambadaScoresTheLastWordAloneAndSearchesOnASeededPartOfTest() {
        write(dir, "lambada/test.jsonl",
                "{\"text\": \"the cat sat on the mat\"}",
                "{\"text\": \"a dog ran  home\"}",
                "{\"text\": \"birds fly south\"}",
                "{\"text\": \"fish swim deep\"}");
        Path yaml = write(dir, "lambada.yaml",
                "task: lambada_openai",
                "dataset_path: lambada",
                "output_type: loglikelihood",
                "test_split: test",
                "doc_to_text: \"{{text.split(' ')[:-1]|join(' ')}}\"",
                "doc_to_target: \"{{' '+text.split(' ')[-1]}}\"",
                "metric_list:",
                "  - metric: perplexity",
                "  - metric: acc");
        HarnessTask t = compile(yaml, dir.resolve("data-absent").getParent());
        List<HarnessDoc> all = new java.util.ArrayList<>(t.search());
        all.addAll(t.test());
        HarnessDoc dog = all.stream().filter(d -> d.context().startsWith("a dog")).findFirst().orElseThrow();
        assertEquals("a dog ran ", dog.context());
        assertEquals(List.of(" home"), dog.continuations());
        assertEquals(1, t.search().size());
        assertEquals(3, t.test().size());
        assertTrue(t.warnings().getFirst().contains("only the test split"), t.warnings().toString());
    }

    @Test
    void mgsmIncludeIsAShallowUpdateAndTheDescriptionIsPrependedAsItIs() {
        write(dir, "mgsm/direct_yaml",
                "tag: mgsm_direct",
                "dataset_path: juletxara/mgsm",
                "dataset_name: null",
                "output_type: generate_until",
                "training_split: train",
                "test_split: test",
                "target_delimiter: \"\"",
                "generation_kwargs:",
                "  until: [\"\\n\\n\", \"\\n\"]",
                "  max_gen_toks: 17",
                "  do_sample: false",
                "metric_list:",
                "  - metric: exact_match",
                "    ignore_case: true",
                "    ignore_punctuation: true");
        Path yaml = write(dir, "mgsm/direct_de.yaml",
                "dataset_name: de",
                "description: \"Löse die Aufgabe.\\n\\n\"",
                "doc_to_target: '{% if answer is not none %}{{answer[23:]}}{% else %}{{answer_number|string}}{% endif %}'",
                "doc_to_text: '{% if answer is not none %}{{question+\"\\nAntwort:\"}}{% else %}{{\"Frage: \"+question+\"\\nAntwort:\"}}{% endif %}'",
                "generation_kwargs:",
                "  do_sample: false",
                "  until: ['Frage:', </s>]",
                "include: direct_yaml",
                "task: mgsm_direct_de",
                "num_fewshot: 1");
        write(dir, "data/juletxara/mgsm/de/train.jsonl",
                "{\"question\": \"Frage: Wie viel ist 3+3?\", \"answer\": \"Schritt für Schritt A: 3+3=6.\", \"answer_number\": 6}",
                "{\"question\": \"Frage: Wie viel ist 1+1?\", \"answer\": \"Schritt für Schritt A: 1+1=2. Die Antwort ist 2.\", \"answer_number\": 2}");
        write(dir, "data/juletxara/mgsm/de/test.jsonl",
                "{\"question\": \"Wie viel ist 2+2?\", \"answer\": null, \"answer_number\": 4}");
        HarnessTask t = compile(yaml, dir.resolve("data"));
        assertEquals("Löse die Aufgabe.\n\nFrage: Wie viel ist 1+1?\nAntwort:Schritt für Schritt A: 1+1=2. Die Antwort ist 2."
                .replace("Schritt für Schritt A: ", "") + "\n\nFrage: Wie viel ist 2+2?\nAntwort:",
                t.test().getFirst().context());   // random.Random(1234).sample(range(2), 1) == [1]
        assertEquals(List.of("4"), t.test().getFirst().targets());
        // generation_kwargs replaced whole: the included max_gen_toks is gone.
        assertEquals(List.of("Frage:", "</s>"), t.spec().until());
        assertEquals(HarnessSpec.DEFAULT_MAX_GEN_TOKS, t.spec().maxGenToks());
    }
}
