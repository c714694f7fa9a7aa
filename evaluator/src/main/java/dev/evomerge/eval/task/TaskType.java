package dev.evomerge.eval.task;

import java.util.Locale;

/** How a task's rows are scored: free generation, a choice among continuations, or plain likelihood. */
public enum TaskType {
    GENERATE, CHOICE, LOGLIK;

    /** The lower-case name used in task files. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
