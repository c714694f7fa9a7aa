package dev.evomerge.checkpoint;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code README.md} of a merged model: Hugging Face front matter ({@code library_name}, tags) and the recipe
 * that produced it in a {@code yaml} code block.
 */
public final class ModelCard {

    private static final Pattern FENCES = Pattern.compile("`{3,}");

    private ModelCard() {
    }

    /** The card of the model named {@code modelName}, carrying {@code recipeYaml}. */
    public static String of(String modelName, String recipeYaml) {
        // A fence longer than any backtick run in the recipe, so the block cannot end early.
        int longest = 2;
        Matcher m = FENCES.matcher(recipeYaml);
        while (m.find()) {
            longest = Math.max(longest, m.group().length());
        }
        String fence = "`".repeat(longest + 1);
        String yaml = recipeYaml.endsWith("\n") ? recipeYaml : recipeYaml + "\n";
        return """
                ---
                library_name: transformers
                tags:
                - merge
                - evomerge
                ---
                # %s

                This model is a merge of pre-trained language models, made with evomerge.

                ## Configuration

                The following recipe (mergekit YAML) produced this model:

                %syaml
                %s%s
                """.formatted(modelName, fence, yaml, fence);
    }
}
