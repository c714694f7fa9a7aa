package dev.evomerge.merge;

import java.util.Map;

/**
 * Resolved parameter values for one tensor (global ones, or one model's), defaults already applied.
 * Values are {@code Double} or {@code Boolean}, as in mergekit YAML.
 */
public record Parameters(Map<String, Object> values) {

    public Parameters {
        values = Map.copyOf(values);
    }

    public static Parameters of(Map<String, Object> values) {
        return new Parameters(values);
    }

    public double number(String name) {
        Object v = require(name);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new IllegalArgumentException("parameter '" + name + "' is not a number: " + v);
    }

    public boolean flag(String name) {
        Object v = require(name);
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        throw new IllegalArgumentException("parameter '" + name + "' is not a boolean: " + v);
    }

    /** The value of {@code name}, or {@code fallback} when the recipe leaves it out. */
    public double number(String name, double fallback) {
        return has(name) ? number(name) : fallback;
    }

    /** The flag {@code name}, or {@code fallback} when the recipe leaves it out. */
    public boolean flag(String name, boolean fallback) {
        return has(name) ? flag(name) : fallback;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("parameter '" + name + "' has no value");
        }
        return v;
    }
}
