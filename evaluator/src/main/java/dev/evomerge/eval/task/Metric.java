package dev.evomerge.eval.task;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A task's score per row. {@code exact} and {@code number} judge generated text, {@code accuracy} a choice
 * by summed log-likelihood, {@code loglik} the mean log-likelihood per token.
 *
 * {@snippet :
 * Metric.lastNumber("so the answer is 1,234.")   // Optional[1234]
 * Metric.NUMBER.matches("... = 42.", "#### 42")  // true
 * }
 */
public enum Metric {
    /** Generated text, cut at the stop strings and trimmed, equals the answer trimmed. */
    EXACT(TaskType.GENERATE),
    /** The last number in the generated text equals the last number in the answer (GSM8K-style). */
    NUMBER(TaskType.GENERATE),
    /** The choice with the highest summed continuation log-likelihood is the answer. */
    ACCURACY(TaskType.CHOICE),
    /** Mean log-likelihood per token; perplexity is its {@code exp(-x)}. */
    LOGLIK(TaskType.LOGLIK);

    // Digits with optional thousands commas and decimals; a trailing "." (end of sentence) is not a decimal.
    private static final Pattern NUMBER_PATTERN = Pattern.compile("-?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?|-?\\.\\d+");

    private final TaskType type;

    Metric(TaskType type) {
        this.type = type;
    }

    /** The task type this metric scores. */
    public TaskType type() {
        return type;
    }

    /** The lower-case name used in task files. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The metric a task of {@code type} gets when its file names none. */
    public static Metric defaultFor(TaskType type) {
        return switch (type) {
            case GENERATE -> EXACT;
            case CHOICE -> ACCURACY;
            case LOGLIK -> LOGLIK;
        };
    }

    /** For generation metrics: whether {@code output} (already cut at the stop strings) scores the answer. */
    public boolean matches(String output, String answer) {
        return switch (this) {
            case EXACT -> output.strip().equals(answer.strip());
            case NUMBER -> {
                Optional<BigDecimal> got = lastNumber(output);
                Optional<BigDecimal> want = lastNumber(answer);
                yield got.isPresent() && want.isPresent() && got.get().compareTo(want.get()) == 0;
            }
            default -> throw new IllegalStateException(label() + " does not judge generated text");
        };
    }

    /** The last number in {@code text}, thousands commas removed; empty when there is none. */
    public static Optional<BigDecimal> lastNumber(String text) {
        Matcher m = NUMBER_PATTERN.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        return last == null ? Optional.empty() : Optional.of(new BigDecimal(last.replace(",", "")));
    }

    /** {@code text} up to the first occurrence of any stop string (all of it when none occurs). */
    public static String cutAtStop(String text, List<String> stops) {
        int end = text.length();
        for (String s : stops) {
            int i = text.indexOf(s);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return text.substring(0, end);
    }

    static Metric parse(String s) {
        for (Metric m : values()) {
            if (m.label().equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown metric '" + s + "' (expected exact, number, accuracy or loglik)");
    }
}
