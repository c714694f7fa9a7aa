package dev.evomerge.eval.harness;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Says once per task that a request (context plus continuation, or context plus {@code max_gen_toks}) is longer
 * than the model's {@code max_position_embeddings}. A search scores every task once per candidate; one of these
 * lives as long as the scorer, so the line comes once a run, not once a candidate.
 *
 * {@snippet :
 * ContextWarnings warnings = new ContextWarnings(line -> System.err.println("warning: " + line));
 * warnings.check("gsm8k", 4200, 4096);   // says so
 * warnings.check("gsm8k", 5000, 4096);   // says nothing more
 * }
 */
public final class ContextWarnings {

    private final Consumer<String> sink;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public ContextWarnings(Consumer<String> sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** Warnings as the command line prints them: {@code warning: ...} on standard error. */
    public static ContextWarnings toStandardError() {
        return new ContextWarnings(line -> System.err.println("warning: " + line));
    }

    /**
     * Warns when {@code longest} tokens exceed {@code limit} (0: the model does not say, nothing to check) and
     * {@code task} has not been warned about yet.
     */
    public void check(String task, int longest, int limit) {
        if (limit > 0 && longest > limit && warned.add(task)) {
            sink.accept("task " + task + ": context plus continuation or generation reaches " + longest
                    + " tokens, more than the model's max_position_embeddings " + limit
                    + "; scored whole (lm-evaluation-harness cuts such contexts from the left)");
        }
    }
}
