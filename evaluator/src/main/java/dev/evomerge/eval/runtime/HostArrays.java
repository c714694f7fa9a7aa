package dev.evomerge.eval.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays made from Java data, in memory PyTorch owns. DJL's PyTorch engine wraps a copy of the Java data
 * in a direct buffer that only the Java wrapper keeps alive; a tensor that outlives the wrapper's hold on it
 * (a view, a value autograd saved, a parameter updated in place) then reads freed memory once the buffer is
 * collected. Training showed it as NaN losses that came and went with garbage-collection timing; a copy the
 * engine allocates itself ends that.
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

    private static NDArray owned(NDArray aliased) {
        NDArray copy = aliased.duplicate();
        aliased.close();
        return copy;
    }
}
