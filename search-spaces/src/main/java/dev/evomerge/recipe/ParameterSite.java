package dev.evomerge.recipe;

import java.util.Objects;

/**
 * One place a parameter is set in a recipe, for validating parameter names against a merge method.
 *
 * @param path  the recipe path of the setting, e.g. {@code models[1].parameters.weight}
 * @param name  the parameter name as written
 * @param value its value
 * @param model the model of the enclosing {@code models[i]} or {@code sources[j]} entry, {@code null} at
 *              global or slice level
 * @param where {@code "file:line"} for error messages
 *
 * {@snippet :
 * for (ParameterSite site : recipe.parameterSites()) {
 *     if (!known.contains(site.name())) {
 *         throw new RecipeException(site.where() + ": unknown parameter '" + site.name()
 *                 + "' for merge_method " + recipe.mergeMethod());
 *     }
 * }
 * }
 */
public record ParameterSite(String path, String name, ParameterValue value, String model, String where) {

    public ParameterSite {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(where, "where");
    }
}
