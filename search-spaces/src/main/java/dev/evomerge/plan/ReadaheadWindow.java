package dev.evomerge.plan;

import dev.evomerge.checkpoint.TensorView;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps the kernel reading ahead of a merge: before task {@code i} runs, its inputs and those of the tasks
 * after it, up to {@code budget} bytes past its own, have been advised ({@link
 * dev.evomerge.checkpoint.Readahead}), each task once and in order. The disk then reads the next tensors
 * while the kernels compute this one, where page faults on a cold checkpoint would read it a small window at
 * a time and wait for each.
 *
 * {@snippet :
 * ReadaheadWindow window = new ReadaheadWindow(inputsPerTask, 256L << 20, Readahead::willNeed);
 * for (int i = 0; i < tasks.size(); i++) {
 *     window.before(i);
 *     // ... merge task i ...
 * }
 * }
 */
final class ReadaheadWindow {

    private final List<List<TensorView>> inputs;
    private final long budget;
    private final Consumer<MemorySegment> advise;
    /** {@code start[i]}: the input bytes of the tasks before task i. */
    private final long[] start;
    private int next;

    ReadaheadWindow(List<List<TensorView>> inputs, long budget, Consumer<MemorySegment> advise) {
        this.inputs = inputs;
        this.budget = budget;
        this.advise = advise;
        this.start = new long[inputs.size() + 1];
        for (int i = 0; i < inputs.size(); i++) {
            start[i + 1] = start[i] + inputs.get(i).stream().mapToLong(TensorView::byteSize).sum();
        }
    }

    /** Advises whatever task {@code i} (called in increasing order) and the budget past it still need. */
    void before(int i) {
        long limit = start[i + 1] + budget;
        while (next < inputs.size() && (next <= i || start[next] < limit)) {
            for (TensorView v : inputs.get(next)) {
                advise.accept(v.data());
            }
            next++;
        }
    }
}
