package dev.evomerge.recipe;

/**
 * Layers {@code [start, end)} of a source model, as in mergekit's {@code layer_range: [start, end]}.
 *
 * {@snippet :
 * LayerRange r = new LayerRange(0, 8);   // layers 0..7
 * r.size();                              // 8
 * }
 */
public record LayerRange(int start, int end) {

    public LayerRange {
        if (start < 0 || start >= end) {
            throw new IllegalArgumentException("layer range [" + start + ", " + end + ") is empty or negative");
        }
    }

    public int size() {
        return end - start;
    }
}
