package dev.evomerge.eval.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays made from Java data, in memory PyTorch owns. DJL's PyTorch engine wraps a copy of the Java data
 * in a direct buffer that only the Java wrapper keeps alive; a tensor that outlives the wrapper's hold on it
 * (a view, a value autograd saved, a parameter updated in place) then reads freed memory once the buffer is
 * collected. DJL's arithmetic with a Java number ({@code x.mul(0.125f)}) does the same with a scalar it
 * closes at once, while autograd keeps that scalar for the backward pass (a product's gradient is the other
 * factor). Training showed both as gradients that were now and then NaN, and otherwise off in the last bits,
 * with garbage-collection timing: a zoo rebuilt in another process differed. Arrays the engine allocates
 * itself end that.
 */
final class HostArrays {

    private HostArrays() {
    }

    static NDArray floats(NDManager m, float[] data, Shape shape) {
        return owned(m.create(data, shape));
    }

    static NDArray longs(NDManager m, long[] data, Shape shape) {
        return owned(m.create(data, shape));
    }

    /** A 0-d constant of {@code like}'s dtype on its manager, for arithmetic that autograd may record. */
    static NDArray scalar(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }

    private static NDArray owned(NDArray aliased) {
        NDArray copy = aliased.duplicate();
        aliased.close();
        return copy;
    }
}
