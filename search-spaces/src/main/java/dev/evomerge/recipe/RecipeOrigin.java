package dev.evomerge.recipe;

import java.util.Map;
import java.util.Objects;

/**
 * Where a recipe was read from: the file name and the line of every key and list item, by path
 * ({@code merge_method}, {@code models[1].parameters.weight}, {@code slices[0].sources[1].layer_range},
 * {@code parameters.t}, {@code layer_path[2]}). Lets later stages (the planner) report errors such as an
 * unknown parameter name at the line it was written on.
 *
 * <p>Where a recipe came from is not part of its value: all origins are equal to each other, so two
 * recipes with the same content are equal and hash the same whichever file they were read from.
 *
 * {@snippet :
 * recipe.origin().at("models[1].parameters.weigth");   // "recipe.yaml:7"
 * }
 */
public final class RecipeOrigin {

    private static final RecipeOrigin NONE = new RecipeOrigin("<recipe>", Map.of());

    private final String sourceName;
    private final Map<String, Integer> lines;

    public RecipeOrigin(String sourceName, Map<String, Integer> lines) {
        this.sourceName = Objects.requireNonNull(sourceName, "sourceName");
        this.lines = Map.copyOf(lines);
    }

    /** The origin of a recipe built in code (by a codec, a test). */
    public static RecipeOrigin none() {
        return NONE;
    }

    public String sourceName() {
        return sourceName;
    }

    /** The 1-based line of the key or item at {@code path}, or of its nearest enclosing path; 0 if unknown. */
    public int line(String path) {
        String p = path;
        while (p != null && !p.isEmpty()) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            p = parent(p);
        }
        return 0;
    }

    /** {@code "file:line"} for a path, or just {@code "file"} when the line is unknown; prefix of error messages. */
    public String at(String path) {
        int line = line(path);
        return line > 0 ? sourceName + ":" + line : sourceName;
    }

    private static String parent(String path) {
        int dot = path.lastIndexOf('.');
        int bracket = path.lastIndexOf('[');
        int cut = Math.max(dot, bracket);
        return cut <= 0 ? null : path.substring(0, cut);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecipeOrigin;
    }

    @Override
    public int hashCode() {
        return 0;
    }

    @Override
    public String toString() {
        return sourceName;
    }
}
