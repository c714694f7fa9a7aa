package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.Shape;
import dev.evomerge.checkpoint.TensorView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Test helpers: tensors from float arrays, merge calls, reading results back. */
final class Tensors {

    private Tensors() {
    }

    static TensorView of(DType type, float... values) {
        return of("t", type, Shape.of(values.length), values);
    }

    static TensorView of(String name, DType type, Shape shape, float... values) {
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1, (long) values.length * type.byteSize()));
        seg = seg.asSlice(0, (long) values.length * type.byteSize());
        for (int i = 0; i < values.length; i++) {
            Floats.write(seg, type, i, values[i]);
        }
        return new TensorView(name, type, shape, seg);
    }

    /** Values that look like weights: N(0, scale) from a seeded generator, rounded to {@code type}. */
    static float[] random(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    static float[] read(MemorySegment seg, DType type) {
        float[] v = new float[(int) (seg.byteSize() / type.byteSize())];
        for (int i = 0; i < v.length; i++) {
            v[i] = Floats.read(seg, type, i);
        }
        return v;
    }

    static MergeInputs.Source source(TensorView t, Object... keyValues) {
        return new MergeInputs.Source(t, params(keyValues));
    }

    static Parameters params(Object... keyValues) {
        Map<String, Object> m = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            Object v = keyValues[i + 1];
            m.put((String) keyValues[i], v instanceof Integer n ? n.doubleValue() : v);
        }
        return Parameters.of(m);
    }

    static float[] merge(String method, TensorView base, List<MergeInputs.Source> sources, Parameters global,
                         long seed, DType outType) {
        long n = (base != null ? base : sources.getFirst().tensor()).elementCount();
        MemorySegment out = Arena.ofAuto().allocate(Math.max(1, n * outType.byteSize())).asSlice(0, n * outType.byteSize());
        MergeMethods.byName(method).merge(new MergeInputs(base, new ArrayList<>(sources), global, seed), out, outType);
        return read(out, outType);
    }

    static float[] merge(String method, TensorView base, List<MergeInputs.Source> sources, Parameters global) {
        return merge(method, base, sources, global, 1L, DType.F32);
    }
}
