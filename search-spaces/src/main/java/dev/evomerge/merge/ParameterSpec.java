package dev.evomerge.merge;

import java.util.Objects;

/**
 * One parameter a merge method accepts, as mergekit names it.
 *
 * @param name         mergekit's name ("weight", "density", "t", "normalize", ...)
 * @param scope        {@link Scope#GLOBAL} (one value per tensor, e.g. {@code normalize}, {@code t}) or
 *                     {@link Scope#PER_MODEL} (one value per source model and tensor, e.g. {@code weight})
 * @param defaultValue a {@code Double} or {@code Boolean}; {@code null} when the parameter is required
 */
public record ParameterSpec(String name, Scope scope, Object defaultValue) {

    public enum Scope { GLOBAL, PER_MODEL }

    public ParameterSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scope, "scope");
        if (defaultValue != null && !(defaultValue instanceof Double) && !(defaultValue instanceof Boolean)) {
            throw new IllegalArgumentException("default of '" + name + "' must be Double or Boolean");
        }
    }

    public static ParameterSpec global(String name, Object defaultValue) {
        return new ParameterSpec(name, Scope.GLOBAL, defaultValue);
    }

    public static ParameterSpec perModel(String name, Object defaultValue) {
        return new ParameterSpec(name, Scope.PER_MODEL, defaultValue);
    }

    public boolean required() {
        return defaultValue == null;
    }
}
