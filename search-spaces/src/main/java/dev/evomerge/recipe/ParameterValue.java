package dev.evomerge.recipe;

import java.util.List;
import java.util.Objects;

/**
 * A parameter's value as written in a recipe: a scalar, a per-layer gradient, or a list of
 * substring-filtered alternatives. {@link #evaluate} gives the value for one tensor with mergekit's rules.
 *
 * {@snippet :
 * // t: [{filter: self_attn, value: [0, 1]}, {value: 0.5}]
 * ParameterValue t = new ParameterValue.Filtered(List.of(
 *         new ParameterValue.FilterEntry("self_attn", new ParameterValue.Gradient(List.of(0.0, 1.0))),
 *         new ParameterValue.FilterEntry(null, new ParameterValue.Scalar(0.5))));
 * t.evaluate("model.layers.3.self_attn.q_proj.weight", 0.25);   // 0.25
 * t.evaluate("model.layers.3.mlp.up_proj.weight", 0.25);        // 0.5
 * }
 */
public sealed interface ParameterValue {

    /**
     * The value for a tensor at gradient position {@code t} in [0, 1], or {@code null} when a filter list
     * has no entry for this tensor (the caller then falls back to the next, less specific level).
     *
     * @return a {@code Double}, a {@code Boolean}, or {@code null}
     */
    Object evaluate(String tensorName, double t);

    /** A single number or boolean. */
    record Scalar(Object value) implements ParameterValue {
        public Scalar {
            Objects.requireNonNull(value, "value");
            if (value instanceof Number n && !(value instanceof Double)) {
                value = n.doubleValue();
            }
            if (value instanceof Double d) {
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("parameter value must be finite, got " + d);
                }
                value = d + 0.0; // -0.0 -> 0.0: they mean the same and must compare and hash the same
            }
            if (!(value instanceof Double) && !(value instanceof Boolean)) {
                throw new IllegalArgumentException("scalar must be a number or boolean, got " + value);
            }
        }

        public static Scalar of(double value) {
            return new Scalar(value);
        }

        public static Scalar of(boolean value) {
            return new Scalar(value);
        }

        @Override
        public Object evaluate(String tensorName, double t) {
            return value;
        }
    }

    /**
     * Numbers spread evenly over the layers of an output slice and interpolated piecewise-linearly in
     * between, as mergekit's {@code evaluate_setting} does:
     * {@code s = t * (n - 1); i0 = floor(s); i1 = min(n - 1, i0 + 1); f = s - i0;
     * value = (1 - f) * v[i0] + f * v[i1]}.
     * The same double operations in the same order as mergekit, so results agree bit for bit.
     */
    record Gradient(List<Double> values) implements ParameterValue {
        public Gradient {
            values = values.stream().map(v -> v + 0.0).toList(); // -0.0 -> 0.0, as for scalars
            if (values.isEmpty()) {
                throw new IllegalArgumentException("gradient needs at least one value");
            }
            for (Double v : values) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("gradient values must be finite, got " + v);
                }
            }
        }

        @Override
        public Object evaluate(String tensorName, double t) {
            int n = values.size();
            double scaled = t * (n - 1);
            int i0 = (int) scaled;
            int i1 = Math.min(n - 1, i0 + 1);
            double frac = scaled - i0;
            return (1 - frac) * values.get(i0) + frac * values.get(i1);
        }
    }

    /**
     * One alternative of a filter list.
     *
     * @param filter a substring of tensor names, {@code "*"} for any, or {@code null} for any (the fallback)
     * @param value  a {@link Scalar} or {@link Gradient}
     */
    record FilterEntry(String filter, ParameterValue value) {
        public FilterEntry {
            Objects.requireNonNull(value, "value");
            if (value instanceof Filtered) {
                throw new IllegalArgumentException("filter entries cannot nest filter lists");
            }
        }

        boolean matches(String tensorName) {
            return filter == null || filter.equals("*") || (tensorName != null && tensorName.contains(filter));
        }
    }

    /**
     * Entries tried in order; the first whose filter is a substring of the tensor name, or that has no
     * filter (or {@code "*"}), gives the value. Like mergekit, an unfiltered entry placed before filtered
     * ones therefore wins for every tensor; put the fallback last.
     */
    record Filtered(List<FilterEntry> entries) implements ParameterValue {
        public Filtered {
            entries = List.copyOf(entries);
            if (entries.isEmpty()) {
                throw new IllegalArgumentException("filter list needs at least one entry");
            }
        }

        @Override
        public Object evaluate(String tensorName, double t) {
            for (FilterEntry e : entries) {
                if (e.matches(tensorName)) {
                    return e.value().evaluate(tensorName, t);
                }
            }
            return null;
        }
    }
}
