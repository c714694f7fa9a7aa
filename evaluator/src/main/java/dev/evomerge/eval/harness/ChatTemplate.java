package dev.evomerge.eval.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tokenizer's chat template ({@code chat_template} in {@code tokenizer_config.json}), rendered as
 * transformers' {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=True)} renders it:
 * Jinja with {@code trim_blocks} and {@code lstrip_blocks}, the {@code messages}, {@code add_generation_prompt}
 * and the special tokens ({@code bos_token}, {@code eos_token}, ...) as variables.
 *
 * {@snippet :
 * ChatTemplate t = ChatTemplate.load(Path.of("models/chat"));
 * String prompt = t.render(List.of(Map.of("role", "user", "content", "2+2?")), true);
 * }
 */
public final class ChatTemplate {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final String template;
    private final Map<String, String> specialTokens;
    private final HarnessTemplates engine = new HarnessTemplates(true);

    ChatTemplate(Path file, String template, Map<String, String> specialTokens) {
        this.file = file;
        this.template = template;
        this.specialTokens = Map.copyOf(specialTokens);
    }

    /** Reads {@code tokenizer_config.json} in {@code tokenizerDir}; a tokenizer without a chat template is an error. */
    public static ChatTemplate load(Path tokenizerDir) {
        Path file = tokenizerDir.resolve("tokenizer_config.json");
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": applying a chat template needs the tokenizer's, and "
                    + "this file cannot be read (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        JsonNode t = root.get("chat_template");
        String template = null;
        if (t != null && t.isTextual()) {
            template = t.textValue();
        } else if (t != null && t.isArray()) {
            // Several named templates: transformers takes the one named "default".
            for (JsonNode named : t) {
                if ("default".equals(named.path("name").asText())) {
                    template = named.path("template").asText();
                }
            }
        }
        if (template == null) {
            throw new IllegalArgumentException(file + ": chat_template: the tokenizer has no chat template"
                    + " (applying a chat template needs one)");
        }
        Map<String, String> special = new LinkedHashMap<>();
        for (String k : List.of("bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token")) {
            JsonNode v = root.get(k);
            if (v != null && v.isTextual()) {
                special.put(k, v.textValue());
            } else if (v != null && v.has("content")) {
                special.put(k, v.get("content").asText());
            }
        }
        return new ChatTemplate(file, template, special);
    }

    /** The rendered conversation. */
    public String render(List<Map<String, String>> messages, boolean addGenerationPrompt) {
        Map<String, Object> vars = new LinkedHashMap<>(specialTokens);
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        try {
            return engine.render(template, vars);
        } catch (HarnessTemplates.TemplateException e) {
            throw new IllegalArgumentException(file + ": chat_template: " + e.getMessage());
        }
    }
}
