package dev.evomerge.eval.task;

import java.util.Locale;

/**
 * Which rows of a task a run scores: the optimizer searches on {@link #SEARCH} rows and reports
 * held-out {@link #TEST} rows; {@link #ALL} is both. A row itself is always SEARCH or TEST.
 *
 * {@snippet :
 * TaskSplit s = TaskSplit.parse("test");
 * boolean scored = s.includes(row.split());
 * }
 */
public enum TaskSplit {
    SEARCH, TEST, ALL;

    /** {@code search}, {@code test} or {@code all}, any case. */
    public static TaskSplit parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "search" -> SEARCH;
            case "test" -> TEST;
            case "all" -> ALL;
            default -> throw new IllegalArgumentException("unknown split '" + s + "' (expected search, test or all)");
        };
    }

    /** Whether a row of split {@code rowSplit} belongs to this selection. */
    public boolean includes(TaskSplit rowSplit) {
        return this == ALL || this == rowSplit;
    }

    /** The lower-case name used in files and reports. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
