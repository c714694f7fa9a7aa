package dev.evomerge.results;

import java.util.List;
import java.util.Objects;

/**
 * A checkpoint read back from a run directory.
 *
 * @param generation the last completed generation it describes
 * @param payload the JSON bytes that were saved (checksum verified)
 * @param warnings newer checkpoints that were skipped and why (corrupt, unreadable)
 */
public record Checkpoint(long generation, byte[] payload, List<String> warnings) {
    public Checkpoint {
        Objects.requireNonNull(payload, "payload");
        warnings = List.copyOf(warnings);
    }
}
