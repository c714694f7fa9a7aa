package dev.evomerge.cli;

import dev.evomerge.checkpoint.CheckpointException;
import dev.evomerge.eval.task.TaskException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Tells input errors (reported in one line) from bugs (reported with a stack trace). */
final class UserErrors {

    private UserErrors() {
    }

    static boolean isUserError(Throwable e) {
        return e instanceof IllegalArgumentException
                || e instanceof CheckpointException
                || e instanceof TaskException
                || e instanceof IllegalStateException
                || e instanceof IOException
                || e instanceof UncheckedIOException;
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replace('\n', ' ').strip();
    }
}
