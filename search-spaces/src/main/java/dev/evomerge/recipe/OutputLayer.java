package dev.evomerge.recipe;

import java.util.Objects;

/**
 * One layer of the merged model and where it comes from.
 *
 * @param index      the output layer index (counts across slices)
 * @param sliceIndex which output slice produces it
 * @param slice      that slice
 * @param offset     the layer's position inside the slice, 0-based
 * @param t          the gradient position of this layer, see {@link RecipeLayout#gradientPosition}
 *
 * {@snippet :
 * for (OutputLayer layer : layout.layers()) {
 *     for (SliceSource s : layer.slice().sources()) {
 *         int in = layer.inputLayer(s);   // s.layerRange().start() + offset
 *     }
 * }
 * }
 */
public record OutputLayer(int index, int sliceIndex, SliceDef slice, int offset, double t) {

    public OutputLayer {
        Objects.requireNonNull(slice, "slice");
        if (offset < 0 || offset >= slice.numLayers()) {
            throw new IllegalArgumentException("offset " + offset + " outside slice of " + slice.numLayers());
        }
    }

    /** The layer of {@code source}'s model that feeds this output layer. */
    public int inputLayer(SliceSource source) {
        return source.layerRange().start() + offset;
    }
}
