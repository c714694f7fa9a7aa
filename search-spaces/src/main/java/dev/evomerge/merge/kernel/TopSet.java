package dev.evomerge.merge.kernel;

/**
 * The k elements of largest |delta| under a total order (larger magnitude first, then lower index first),
 * described without listing them: an element is in the set when its magnitude is above {@code value}, or
 * equal to it with an index below {@code cutoff}. Ties at the threshold therefore resolve the same way
 * however the tensor is chunked.
 *
 * {@snippet :
 * boolean in = top.contains(Math.abs(delta), i);
 * }
 */
public record TopSet(float value, long cutoff) {

    /** The empty set. */
    public static final TopSet NONE = new TopSet(Float.POSITIVE_INFINITY, 0);
    /** Every element with a non-NaN magnitude. */
    public static final TopSet ALL = new TopSet(-1f, 0);

    public boolean contains(float magnitude, long index) {
        return magnitude > value || (magnitude == value && index < cutoff);
    }
}
