package dev.evomerge.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint on disk is malformed, missing or cannot be written. The message is one line that names the
 * file and, where one is involved, the tensor, so a user can find the culprit without a stack trace.
 *
 * {@snippet :
 * try (Checkpoint c = Checkpoint.open(dir)) { ... }
 * catch (CheckpointException e) {
 *     System.err.println(e.getMessage());   // "/m/model.safetensors: tensor 'x': unknown dtype 'I8' ..."
 * }
 * }
 */
public final class CheckpointException extends RuntimeException {

    private final transient Path file;
    private final String tensor;

    public CheckpointException(Path file, String problem) {
        this(file, null, problem, null);
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        this(file, null, problem, cause);
    }

    public CheckpointException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public CheckpointException(Path file, String tensor, String problem, Throwable cause) {
        super(format(file, tensor, problem), cause);
        this.file = file;
        this.tensor = tensor;
    }

    /** The file or directory at fault. */
    public Path file() {
        return file;
    }

    /** The tensor at fault, or {@code null} when the problem is with the file as a whole. */
    public String tensor() {
        return tensor;
    }

    private static String format(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder().append(file);
        if (tensor != null) {
            sb.append(": tensor '").append(tensor).append('\'');
        }
        sb.append(": ").append(problem);
        // Messages from parsers may span lines; the contract is one line.
        return sb.toString().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
