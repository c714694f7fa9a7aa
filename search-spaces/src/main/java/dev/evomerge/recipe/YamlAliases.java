package dev.evomerge.recipe;

import java.io.StringReader;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Finds YAML aliases in the files read through Jackson's YAML parser (search configs, task files), which
 * hands an alias ({@code *defaults}) over as the plain string "defaults". Those readers refuse an alias: a
 * refused alias is a line to fix, one read as a string could be a wrong value nobody notices. Recipes
 * resolve aliases instead (see RecipeParser).
 *
 * {@snippet :
 * YamlAliases.refuse(text, "search.yaml");   // search.yaml:7: YAML aliases (*w) are not supported here; ...
 * }
 */
public final class YamlAliases {

    /** An alias: its 1-based line and the anchor it names. */
    public record Alias(int line, String anchor) {
        /** The error message for it, without file and line. */
        public String problem() {
            return "YAML aliases (*" + anchor + ") are not supported here; write the value out";
        }
    }

    private YamlAliases() {
    }

    /** The first alias in {@code text}, if any; text that is not valid YAML has none (its parser reports it). */
    public static Optional<Alias> first(String text) {
        try {
            for (Event event : new Yaml(new LoaderOptions()).parse(new StringReader(text))) {
                if (event instanceof AliasEvent alias) {
                    return Optional.of(new Alias(alias.getStartMark().getLine() + 1, alias.getAnchor()));
                }
            }
        } catch (YAMLException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Throws an {@link IllegalArgumentException} naming the file and line of the first alias in {@code text}. */
    public static void refuse(String text, String sourceName) {
        first(text).ifPresent(a -> {
            throw new IllegalArgumentException(sourceName + ":" + a.line() + ": " + a.problem());
        });
    }
}
