package dev.evomerge.eval.harness;

import static dev.evomerge.eval.harness.HarnessFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompts through a ChatML chat template, written out by hand from lm-evaluation-harness's rules: few-shot
 * examples collapsed into one user turn, or as turns of their own with {@code --fewshot-as-multiturn}.
 */
class ChatTemplateTest {

    @TempDir
    Path dir;

    // Indented and on several lines: trim_blocks and lstrip_blocks remove the block tags' whitespace, not the
    // expressions' (Python's jinja2 renders one user turn as '  <|im_start|>user\nQ<|im_end|>\n\n').
    private static final String CHATML = """
            {% for message in messages %}
              {{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}
            {% endfor %}
            {% if add_generation_prompt %}
              {{ '<|im_start|>assistant\\n' }}
            {% endif %}""";

    private ChatTemplate chatml() throws Exception {
        var config = new ObjectMapper().createObjectNode();
        config.put("chat_template", CHATML);
        config.put("bos_token", "<s>");
        write(dir, "model/tokenizer_config.json", config.toString());
        return ChatTemplate.load(dir.resolve("model"));
    }

    private HarnessTask gsm8k(ChatTemplate t, boolean multiturn) {
        return HarnessTask.compile(HarnessSpec.load(HarnessFixtures.gsm8k(dir)),
                new HarnessTask.Options(dir.resolve("data"), -1).withChatTemplate(t, multiturn));
    }

    @Test
    void fewshotExamplesCollapseIntoOneUserTurn() throws Exception {
        // Examples for the first test row: training rows 3 and 0 (random.Random(1234).sample(range(4), 2)).
        assertEquals("  <|im_start|>user\nQuestion: q3\nAnswer: a3\n#### 3\n\nQuestion: q0\nAnswer: a0\n#### 0\n\n"
                        + "Question: t0\nAnswer:<|im_end|>\n\n  <|im_start|>assistant\n\n",
                gsm8k(chatml(), false).test().getFirst().context());
    }

    @Test
    void fewshotAsMultiturnGivesEachExampleItsOwnTurns() throws Exception {
        assertEquals("  <|im_start|>user\nQuestion: q3\nAnswer:<|im_end|>\n\n  <|im_start|>assistant\na3\n#### 3<|im_end|>\n\n"
                        + "  <|im_start|>user\nQuestion: q0\nAnswer:<|im_end|>\n\n  <|im_start|>assistant\na0\n#### 0<|im_end|>\n\n"
                        + "  <|im_start|>user\nQuestion: t0\nAnswer:<|im_end|>\n\n  <|im_start|>assistant\n\n",
                gsm8k(chatml(), true).test().getFirst().context());
    }

    @Test
    void aTokenizerWithoutATemplateIsAnError() {
        write(dir, "plain/tokenizer_config.json", "{\"bos_token\": \"<s>\"}");
        String m = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.load(dir.resolve("plain"))).getMessage();
        assertEquals(dir.resolve("plain/tokenizer_config.json") + ": chat_template: the tokenizer has no chat template"
                + " (applying a chat template needs one)", m);
    }

    @Test
    void raiseExceptionRefusesTheMessagesInOneLine() throws Exception {
        var config = new ObjectMapper().createObjectNode();
        config.put("chat_template", "{% if messages[0]['role'] == 'system' %}{{ raise_exception('no system role') }}{% endif %}x");
        write(dir, "strict/tokenizer_config.json", config.toString());
        ChatTemplate t = ChatTemplate.load(dir.resolve("strict"));
        assertEquals("x", t.render(List.of(java.util.Map.of("role", "user", "content", "hi")), true));
        String m = assertThrows(IllegalArgumentException.class,
                () -> t.render(List.of(java.util.Map.of("role", "system", "content", "hi")), true)).getMessage();
        assertTrue(m.contains("no system role"), m);
    }
}
