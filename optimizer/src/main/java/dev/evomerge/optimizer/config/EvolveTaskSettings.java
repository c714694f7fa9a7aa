package dev.evomerge.optimizer.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Set;

/**
 * mergekit-evolve's top-level task settings: {@code limit} (rows per task), {@code num_fewshot}
 * (overriding the task files'), {@code shuffle} and {@code random_init}, {@code apply_chat_template} and
 * {@code fewshot_as_multiturn}.
 *
 * <p>What evomerge makes of them: {@code limit} caps the search rows as {@code --search-rows} does;
 * {@code num_fewshot} overrides the task files'; {@code shuffle} is accepted and has no effect, since the search
 * rows are already a fixed, seeded choice; {@code random_init} is accepted and has no effect, since each strategy
 * starts from its own seeded population; {@code apply_chat_template: true} renders lm-evaluation-harness tasks'
 * prompts through the candidates' tokenizer's chat template, as {@code eval --apply-chat-template} does, and
 * {@code fewshot_as_multiturn: true} (which needs it) puts each few-shot example in its own turns.
 *
 * @param limit              rows per task the search scores (0: all)
 * @param numFewshot         few-shot examples per prompt (-1: the task files')
 * @param applyChatTemplate  prompts go through the tokenizer's chat template
 * @param fewshotAsMultiturn with the chat template, each few-shot example is a user turn and an assistant turn
 */
public record EvolveTaskSettings(int limit, int numFewshot, boolean applyChatTemplate, boolean fewshotAsMultiturn) {

    static final Set<String> KEYS = Set.of("limit", "num_fewshot", "shuffle", "random_init", "apply_chat_template",
            "fewshot_as_multiturn");

    public static final EvolveTaskSettings NONE = new EvolveTaskSettings(0, -1);

    /** Settings with plain-text prompts. */
    public EvolveTaskSettings(int limit, int numFewshot) {
        this(limit, numFewshot, false, false);
    }

    static EvolveTaskSettings parse(Path file, JsonNode root) {
        int limit = 0;
        int shots = -1;
        JsonNode l = root.get("limit");
        if (l != null && !l.isNull()) {
            if (!l.isIntegralNumber() || l.asInt() < 0) {
                throw new IllegalArgumentException(file + ": limit: expected an integer >= 0, got " + l);
            }
            limit = l.asInt();
        }
        JsonNode n = root.get("num_fewshot");
        if (n != null && !n.isNull()) {
            if (!n.isIntegralNumber() || n.asInt() < 0) {
                throw new IllegalArgumentException(file + ": num_fewshot: expected an integer >= 0, got " + n);
            }
            shots = n.asInt();
        }
        for (String flag : new String[] {"shuffle", "random_init", "apply_chat_template", "fewshot_as_multiturn"}) {
            JsonNode f = root.get(flag);
            if (f != null && !f.isNull() && !f.isBoolean()) {
                throw new IllegalArgumentException(file + ": " + flag + ": expected true or false, got " + f);
            }
        }
        boolean chat = root.path("apply_chat_template").asBoolean(false);
        boolean multiturn = root.path("fewshot_as_multiturn").asBoolean(false);
        if (multiturn && !chat) {
            throw new IllegalArgumentException(file + ": fewshot_as_multiturn: needs apply_chat_template: true");
        }
        return new EvolveTaskSettings(limit, shots, chat, multiturn);
    }
}
