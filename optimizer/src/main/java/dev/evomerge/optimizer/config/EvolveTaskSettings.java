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
 * starts from its own seeded population; a chat template ({@code apply_chat_template: true},
 * {@code fewshot_as_multiturn: true}) is refused.
 *
 * @param limit      rows per task the search scores (0: all)
 * @param numFewshot few-shot examples per prompt (-1: the task files')
 */
public record EvolveTaskSettings(int limit, int numFewshot) {

    static final Set<String> KEYS = Set.of("limit", "num_fewshot", "shuffle", "random_init", "apply_chat_template",
            "fewshot_as_multiturn");

    public static final EvolveTaskSettings NONE = new EvolveTaskSettings(0, -1);

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
        for (String chat : new String[] {"apply_chat_template", "fewshot_as_multiturn"}) {
            if (root.path(chat).asBoolean(false)) {
                throw new IllegalArgumentException(file + ": " + chat + ": chat templates are not supported yet");
            }
        }
        return new EvolveTaskSettings(limit, shots);
    }
}
