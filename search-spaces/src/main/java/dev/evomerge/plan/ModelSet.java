package dev.evomerge.plan;

import dev.evomerge.arch.Architecture;
import dev.evomerge.checkpoint.Checkpoint;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeException;
import dev.evomerge.recipe.SliceDef;
import dev.evomerge.recipe.SliceSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoints a recipe names, opened (memory-mapped) once each, keyed by the name the recipe uses.
 * Model names are directories relative to a working directory, as in mergekit.
 *
 * {@snippet :
 * try (ModelSet models = ModelSet.open(recipe, Path.of("."))) {
 *     Checkpoint base = models.checkpoint(recipe.baseModel());
 * }
 * }
 */
public final class ModelSet implements AutoCloseable {

    /** An opened model and the architecture its config.json declares. */
    public record Model(String name, Checkpoint checkpoint, Architecture architecture) {
    }

    private final Map<String, Model> models;

    private ModelSet(Map<String, Model> models) {
        this.models = models;
    }

    /** Opens every model the recipe names; fails on the first missing or unreadable one, closing the rest. */
    public static ModelSet open(MergeRecipe recipe, Path workingDir) {
        return open(recipe, workingDir, name -> false);
    }

    /**
     * Opens the models the recipe names except those {@code providedElsewhere} accepts (e.g. a merged model a
     * layer path routes through, which is built in memory rather than read from a directory).
     */
    public static ModelSet open(MergeRecipe recipe, Path workingDir, java.util.function.Predicate<String> providedElsewhere) {
        Map<String, String> where = modelLocations(recipe);
        Map<String, Model> opened = new LinkedHashMap<>();
        try {
            for (var entry : where.entrySet()) {
                String name = entry.getKey();
                if (providedElsewhere.test(name)) {
                    continue;
                }
                Path dir = workingDir.resolve(name).normalize();
                if (!Files.isDirectory(dir)) {
                    throw new RecipeException(entry.getValue() + ": model '" + name + "' not found (no directory "
                            + dir + ")");
                }
                Checkpoint checkpoint = Checkpoint.open(dir);
                try {
                    Architecture arch = Architecture.forConfig(checkpoint.config(), dir.resolve(Checkpoint.CONFIG));
                    opened.put(name, new Model(name, checkpoint, arch));
                } catch (RuntimeException e) {
                    checkpoint.close();
                    throw e;
                }
            }
            return new ModelSet(opened);
        } catch (RuntimeException e) {
            opened.values().forEach(m -> m.checkpoint().close());
            throw e;
        }
    }

    /** Each model name with the recipe location that first names it, in order of appearance. */
    private static Map<String, String> modelLocations(MergeRecipe recipe) {
        Map<String, String> where = new LinkedHashMap<>();
        var origin = recipe.origin();
        if (recipe.baseModel() != null) {
            where.putIfAbsent(recipe.baseModel(), origin.at("base_model"));
        }
        for (int i = 0; i < recipe.models().size(); i++) {
            where.putIfAbsent(recipe.models().get(i).model(), origin.at("models[" + i + "].model"));
        }
        List<SliceDef> slices = recipe.slices();
        for (int s = 0; s < slices.size(); s++) {
            if (slices.get(s).baseModel() != null) {
                where.putIfAbsent(slices.get(s).baseModel(), origin.at("slices[" + s + "].base_model"));
            }
            List<SliceSource> sources = slices.get(s).sources();
            for (int j = 0; j < sources.size(); j++) {
                where.putIfAbsent(sources.get(j).model(), origin.at("slices[" + s + "].sources[" + j + "].model"));
            }
        }
        for (int k = 0; k < recipe.layerPath().size(); k++) {
            where.putIfAbsent(recipe.layerPath().get(k).model(), origin.at("layer_path[" + k + "]"));
        }
        String tokenizer = recipe.tokenizerSource();
        if (tokenizer != null && !tokenizer.equals("base")) {
            where.putIfAbsent(tokenizer, origin.at("tokenizer_source"));
        }
        return where;
    }

    public Model model(String name) {
        Model m = models.get(name);
        if (m == null) {
            throw new IllegalArgumentException("model '" + name + "' is not part of the recipe");
        }
        return m;
    }

    public Checkpoint checkpoint(String name) {
        return model(name).checkpoint();
    }

    public List<String> names() {
        return List.copyOf(models.keySet());
    }

    @Override
    public void close() {
        models.values().forEach(m -> m.checkpoint().close());
    }
}
