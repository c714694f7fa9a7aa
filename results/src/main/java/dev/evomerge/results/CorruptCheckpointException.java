package dev.evomerge.results;

/** A checkpoint file whose checksum or header does not match; the message names the file. */
public final class CorruptCheckpointException extends RuntimeException {
    public CorruptCheckpointException(String message) {
        super(message);
    }
}
