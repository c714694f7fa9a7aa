package dev.evomerge.recipe;

/**
 * A recipe is invalid; the message is one line starting with {@code file:line:}.
 *
 * {@snippet :
 * throw new RecipeException(recipe.origin().at("merge_method") + ": unknown merge_method 'tie'");
 * }
 */
public final class RecipeException extends IllegalArgumentException {

    public RecipeException(String message) {
        super(message);
    }

    public RecipeException(String message, Throwable cause) {
        super(message, cause);
    }
}
