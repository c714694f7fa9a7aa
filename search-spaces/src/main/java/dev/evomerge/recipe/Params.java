package dev.evomerge.recipe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Immutable parameter maps that keep the order they were written in (equality ignores order). */
final class Params {

    private Params() {
    }

    static Map<String, ParameterValue> copy(Map<String, ParameterValue> parameters) {
        if (parameters == null || parameters.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<String, ParameterValue> copy = new LinkedHashMap<>();
        parameters.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "parameter name"),
                Objects.requireNonNull(v, () -> "value of parameter '" + k + "'")));
        return Collections.unmodifiableMap(copy);
    }
}
