package dev.evomerge.eval.task;

import java.util.List;
import java.util.Objects;

/**
 * One row of a task's data, with the JSONL line it came from and the split it belongs to.
 *
 * {@snippet :
 * switch (row) {
 *     case TaskRow.Generate g -> g.prompt() + " -> " + g.answer();
 *     case TaskRow.Choice c -> c.choices().get(c.answer());
 *     case TaskRow.Loglik l -> l.text();
 * }
 * }
 */
public sealed interface TaskRow {

    /** The 1-based line of the data file this row came from. */
    int line();

    /** {@link TaskSplit#SEARCH} or {@link TaskSplit#TEST}. */
    TaskSplit split();

    /** A prompt and the answer the generated text must give. */
    record Generate(int line, String prompt, String answer, TaskSplit split) implements TaskRow {
        public Generate {
            Objects.requireNonNull(prompt, "prompt");
            Objects.requireNonNull(answer, "answer");
            checkSplit(split);
        }
    }

    /** A prompt, its candidate continuations and the index of the right one. */
    record Choice(int line, String prompt, List<String> choices, int answer, TaskSplit split) implements TaskRow {
        public Choice {
            Objects.requireNonNull(prompt, "prompt");
            choices = List.copyOf(choices);
            if (choices.size() < 2) {
                throw new IllegalArgumentException("a choice row needs at least two choices");
            }
            if (answer < 0 || answer >= choices.size()) {
                throw new IllegalArgumentException("answer " + answer + " is outside choices [0, " + choices.size() + ")");
            }
            for (String c : choices) {
                if (c.isEmpty()) {
                    throw new IllegalArgumentException("a choice is empty");
                }
            }
            checkSplit(split);
        }
    }

    /** A text whose likelihood is measured. */
    record Loglik(int line, String text, TaskSplit split) implements TaskRow {
        public Loglik {
            Objects.requireNonNull(text, "text");
            if (text.isEmpty()) {
                throw new IllegalArgumentException("text is empty");
            }
            checkSplit(split);
        }
    }

    private static void checkSplit(TaskSplit split) {
        if (split != TaskSplit.SEARCH && split != TaskSplit.TEST) {
            throw new IllegalArgumentException("a row's split is search or test, got " + split);
        }
    }
}
