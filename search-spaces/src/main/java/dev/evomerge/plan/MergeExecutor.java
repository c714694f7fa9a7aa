package dev.evomerge.plan;

import dev.evomerge.checkpoint.Readahead;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.MergeInputs;
import dev.evomerge.merge.kernel.SmallTensors;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a {@link MergePlan} tensor by tensor: inputs are slices of the mapped checkpoints, the output is
 * written straight into its target segment. After each tensor the pages it touched are handed back to the
 * kernel ({@link MemorySegment#unload()}), so resident memory stays near one tensor's worth whatever the
 * models' size; the data itself stays in the page cache and the output file. The next tensors' inputs are
 * read from disk meanwhile ({@link ReadaheadWindow}); {@code -Devomerge.readahead=false} turns that off.
 *
 * {@snippet :
 * MergeExecutor.run(plan, models, writer::target, progress);
 * }
 */
public final class MergeExecutor {

    /**
     * Where a merged tensor's bytes go: a mapped output file, memory the runtime reads, or a buffer that is
     * written out afterwards ({@link StagedOutput}).
     */
    @FunctionalInterface
    public interface TensorTarget {
        MemorySegment segment(String tensorName);

        /** Told once {@code segment}, as {@link #segment} gave it, holds the merged tensor. */
        default void written(String tensorName, MemorySegment segment) {
        }
    }

    /** Told after each tensor: input bytes read so far, of the total, and the tensor just written. */
    @FunctionalInterface
    public interface Progress {
        void update(long bytesRead, long bytesTotal, String tensorName);

        Progress NONE = (done, total, name) -> { };
    }

    /**
     * How far ahead of the running task the kernel is asked to read: a few layers of a 7B model, and more than
     * a disk reads while the kernels merge one tensor.
     */
    private static final long READ_AHEAD_BYTES = 256L << 20;

    private MergeExecutor() {
    }

    public static void run(MergePlan plan, ModelSet models, TensorTarget target, Progress progress) {
        List<TensorTask> tasks = plan.tasks();
        List<List<TensorView>> inputs = tasks.stream().map(t -> inputs(t, models)).toList();
        long total = inputs.stream().flatMap(List::stream).mapToLong(TensorView::byteSize).sum();
        ReadaheadWindow readahead = new ReadaheadWindow(inputs, READ_AHEAD_BYTES, advice());
        long done = 0;
        for (int i = 0; i < tasks.size(); i++) {
            TensorTask task = tasks.get(i);
            readahead.before(i);
            String name = task.output().name();
            MemorySegment out = target.segment(name);
            done += runTask(task, inputs.get(i), out);
            target.written(name, out);
            progress.update(done, total, name);
        }
    }

    private static Consumer<MemorySegment> advice() {
        boolean on = Boolean.parseBoolean(System.getProperty("evomerge.readahead", "true"));
        return on ? Readahead::willNeed : segment -> { };
    }

    /**
     * Merges one tensor into {@code out} (exactly {@code task.output().byteSize()} bytes) and hands the touched
     * pages back to the kernel, as {@link #run} does for each tensor.
     *
     * @return the input bytes read
     */
    public static long runTask(TensorTask task, ModelSet models, MemorySegment out) {
        return runTask(task, inputs(task, models), out);
    }

    /** {@link #runTask(TensorTask, ModelSet, MemorySegment)} on the task's input views, base first. */
    private static long runTask(TensorTask task, List<TensorView> views, MemorySegment out) {
        task.method().merge(mergeInputs(task, views), out, task.output().dtype());
        SmallTensors.merged(task.output().shape().elementCount());
        views.forEach(v -> release(v.data()));
        release(out);
        return views.stream().mapToLong(TensorView::byteSize).sum();
    }

    /** The base (if any) first, then the sources in order. */
    private static List<TensorView> inputs(TensorTask task, ModelSet models) {
        List<TensorView> views = new ArrayList<>();
        if (task.base() != null) {
            views.add(view(task.base(), models));
        }
        for (TensorTask.Source s : task.sources()) {
            views.add(view(s.tensor(), models));
        }
        return views;
    }

    private static TensorView view(InputTensor input, ModelSet models) {
        return models.checkpoint(input.model()).tensor(input.tensorName());
    }

    private static MergeInputs mergeInputs(TensorTask task, List<TensorView> views) {
        int offset = task.base() != null ? 1 : 0;
        List<MergeInputs.Source> sources = new ArrayList<>();
        for (int i = 0; i < task.sources().size(); i++) {
            sources.add(new MergeInputs.Source(views.get(offset + i), task.sources().get(i).parameters()));
        }
        return new MergeInputs(task.base() != null ? views.getFirst() : null, sources, task.global(), task.seed());
    }

    private static void release(MemorySegment segment) {
        if (segment.isMapped() && segment.byteSize() > 0) {
            segment.unload();
        }
    }
}
