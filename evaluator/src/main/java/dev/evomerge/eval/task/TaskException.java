package dev.evomerge.eval.task;

import java.nio.file.Path;

/**
 * A task file or its data is malformed. The message is one line, {@code file:line: problem}, so a user can
 * go straight to the culprit.
 *
 * {@snippet :
 * try { Task.load(Path.of("tasks/gsm8k.yaml")); }
 * catch (TaskException e) { System.err.println(e.getMessage()); }   // "tasks/gsm8k.jsonl:7: missing field 'answer'"
 * }
 */
public final class TaskException extends RuntimeException {

    private final transient Path file;
    private final int line;

    /** {@code line} is 1-based; 0 when the problem is the file as a whole. */
    public TaskException(Path file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The 1-based line at fault, or 0 for the whole file. */
    public int line() {
        return line;
    }
}
