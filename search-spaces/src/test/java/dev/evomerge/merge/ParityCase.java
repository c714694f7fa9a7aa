package dev.evomerge.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One case of a mergekit parity fixture ({@code cases.json}, written by
 * {@code scripts/reference/mergekit_reference.py}): a method, its global parameters, whether the base is an input,
 * and the models with their parameters, as a recipe would give them.
 */
record ParityCase(String name, String method, Map<String, Object> global, boolean base,
                  List<String> models, List<Map<String, Object>> modelParameters) {

    @Override
    public String toString() {
        return name;
    }

    /** The fixture's {@code cases.json} under {@code dir}. */
    static JsonNode fixture(Path dir) {
        try {
            return new ObjectMapper().readTree(dir.resolve("cases.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every case of the fixture under {@code dir}. */
    static List<ParityCase> read(Path dir) {
        List<ParityCase> out = new ArrayList<>();
        for (JsonNode c : fixture(dir).get("cases")) {
            List<String> models = new ArrayList<>();
            List<Map<String, Object>> params = new ArrayList<>();
            for (JsonNode m : c.get("models")) {
                models.add(m.get("model").asText());
                params.add(values(m.get("parameters")));
            }
            out.add(new ParityCase(c.get("name").asText(), c.get("method").asText(), values(c.get("parameters")),
                    c.get("base").asBoolean(), models, params));
        }
        return out;
    }

    /** Recipe values as the recipe reader gives them to a method: numbers as doubles, flags as booleans. */
    private static Map<String, Object> values(JsonNode node) {
        Map<String, Object> m = new LinkedHashMap<>();
        node.properties().forEach(e -> m.put(e.getKey(),
                e.getValue().isBoolean() ? (Object) e.getValue().asBoolean() : e.getValue().asDouble()));
        return m;
    }
}
