package dev.evomerge.docs;

import java.nio.file.Path;
import java.util.Objects;

/** Something a document says that the code does not bear out, at a line of that document. */
public record Problem(Path file, int line, String message) {

    public Problem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
    }

    /** {@code file:line: message}, with {@code file} relative to {@code root}. */
    public String format(Path root) {
        Path shown = file.isAbsolute() && file.startsWith(root) ? root.relativize(file) : file;
        return shown.toString().replace('\\', '/') + ":" + line + ": " + message;
    }
}
