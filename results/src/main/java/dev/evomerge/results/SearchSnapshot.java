package dev.evomerge.results;

import java.util.List;
import java.util.Objects;

/**
 * A search's state as saved after a generation in the run directory's {@code checkpoint/} folder, read back
 * (not to be confused with {@code dev.evomerge.checkpoint.Checkpoint}, a model directory).
 *
 * @param generation the last completed generation it describes
 * @param payload the JSON bytes that were saved (checksum verified)
 * @param warnings newer checkpoints that were skipped and why (corrupt, unreadable)
 */
public record SearchSnapshot(long generation, byte[] payload, List<String> warnings) {
    public SearchSnapshot {
        Objects.requireNonNull(payload, "payload");
        warnings = List.copyOf(warnings);
    }
}
