package dev.evomerge.eval;

import dev.evomerge.checkpoint.Checkpoint;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.runtime.LanguageModel;
import dev.evomerge.eval.runtime.LayerPath;
import dev.evomerge.eval.runtime.LlamaConfig;
import dev.evomerge.eval.runtime.ModelWeights;
import dev.evomerge.eval.runtime.TensorSource;
import dev.evomerge.plan.MergePlan;
import dev.evomerge.plan.MergePlanner;
import dev.evomerge.plan.MergedTensorCache;
import dev.evomerge.plan.ModelSet;
import dev.evomerge.recipe.LayerStep;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What {@code evomerge eval} scores, loaded onto the device: a model directory, a merge recipe (merged in
 * memory, never written to disk), or a recipe with a {@code layer_path} (the named models' layers routed in
 * the path's order). A routed model may itself be a merge: a layer path's model named by a recipe file
 * ({@code .yaml}/{@code .yml}), or by a name the caller resolves to a recipe, is merged in memory first.
 * Closing it frees every model's native memory.
 *
 * {@snippet :
 * try (EvalTarget target = EvalTarget.load(Path.of("recipe.yaml"), Path.of("."), ComputeDevice.AUTO)) {
 *     LanguageModel model = target.model();
 * }
 * }
 */
public final class EvalTarget implements AutoCloseable {

    private final LanguageModel model;
    private final List<ModelWeights> weights;
    private final Path tokenizerDir;

    private EvalTarget(LanguageModel model, List<ModelWeights> weights, Path tokenizerDir) {
        this.model = model;
        this.weights = List.copyOf(weights);
        this.tokenizerDir = tokenizerDir;
    }

    /** Loads {@code target}; recipe model paths are relative to {@code workingDir}. */
    public static EvalTarget load(Path target, Path workingDir, ComputeDevice device) {
        if (Files.isDirectory(target)) {
            ModelWeights w = ModelWeights.load(target, device);
            return new EvalTarget(LanguageModel.of(w), List.of(w), target);
        }
        if (!Files.isRegularFile(target)) {
            throw new IllegalArgumentException(target + ": no such model directory or recipe file");
        }
        return forRecipe(RecipeParser.parse(target), target, workingDir, device);
    }

    /**
     * A recipe's model: merged in memory, or routed when it has a {@code layer_path}.
     *
     * @param location names the recipe in error messages (its file, or the run that produced it)
     */
    public static EvalTarget forRecipe(MergeRecipe recipe, Path location, Path workingDir, ComputeDevice device) {
        return forRecipe(recipe, name -> null, location, workingDir, device);
    }

    /**
     * As {@link #forRecipe(MergeRecipe, Path, Path, ComputeDevice)}, where a layer path's model for which
     * {@code mergedModels} returns a recipe is that recipe merged in memory (a search over merged and routed
     * models names its merged model {@code merged:<hash>}). Models it returns {@code null} for are
     * directories, or recipe files when their name ends in {@code .yaml} or {@code .yml}.
     */
    public static EvalTarget forRecipe(MergeRecipe recipe, Function<String, MergeRecipe> mergedModels, Path location,
            Path workingDir, ComputeDevice device) {
        return forRecipe(recipe, mergedModels, location, workingDir, device, null);
    }

    /**
     * As {@link #forRecipe(MergeRecipe, Function, Path, Path, ComputeDevice)}, with merged tensors taken from and
     * offered to {@code cache} (candidates of a search that share layers merge them once); {@code null} merges
     * every tensor afresh.
     */
    public static EvalTarget forRecipe(MergeRecipe recipe, Function<String, MergeRecipe> mergedModels, Path location,
            Path workingDir, ComputeDevice device, MergedTensorCache cache) {
        if (recipe.layerPath().isEmpty()) {
            Merged m = merge(recipe, location, workingDir, device, cache);
            return new EvalTarget(LanguageModel.of(m.weights()), List.of(m.weights()), m.tokenizerDir());
        }
        Function<String, MergeRecipe> resolve = name -> {
            MergeRecipe r = mergedModels.apply(name);
            if (r == null && (name.endsWith(".yaml") || name.endsWith(".yml"))) {
                r = RecipeParser.parse(workingDir.resolve(name));
            }
            if (r != null && !r.layerPath().isEmpty()) {
                throw new IllegalArgumentException(recipe.origin().at("layer_path") + ": routed model '" + name
                        + "' is itself routed; only merges can be routed");
            }
            return r;
        };
        return routed(recipe, resolve, workingDir, device, cache);
    }

    /** A merge loaded onto the device, with its config and tokenizer. */
    private record Merged(ModelWeights weights, LlamaConfig config, Path tokenizerDir) {}

    private static Merged merge(MergeRecipe recipe, Path location, Path workingDir, ComputeDevice device,
            MergedTensorCache cache) {
        MergePlanner.validate(recipe);
        try (ModelSet models = ModelSet.open(recipe, workingDir)) {
            MergePlan plan = MergePlanner.plan(recipe, models);
            LlamaConfig config = LlamaConfig.fromJson(plan.outputConfig(), location);
            // Without a cache, a throwaway one with no budget merges every tensor into memory freed below.
            try (MergedTensorCache own = cache == null ? MergedTensorCache.disabled() : null;
                 MergedTensorCache.MergedTensors merged = (cache != null ? cache : own).build(plan, models)) {
                // The device copy is made here, so the merged tensors can be let go with this scope.
                ModelWeights w = ModelWeights.load(config, inMemory(merged.tensors(), location), device);
                return new Merged(w, config, models.checkpoint(plan.tokenizerModel()).dir());
            }
        }
    }

    private static EvalTarget routed(MergeRecipe recipe, Function<String, MergeRecipe> mergedModels, Path workingDir,
            ComputeDevice device, MergedTensorCache cache) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (LayerStep step : recipe.layerPath()) {
            index.putIfAbsent(step.model(), index.size());
        }
        LayerPath path = new LayerPath(recipe.layerPath().stream()
                .map(s -> new LayerPath.Step(index.get(s.model()), s.layer(), s.scale())).toList());
        // ModelSet resolves and checks the recipe's models as a merge does; the path is checked against
        // their configs before any weight is copied to the device.
        Map<String, MergeRecipe> merges = new HashMap<>();
        for (String name : index.keySet()) {
            MergeRecipe r = mergedModels.apply(name);
            if (r != null) {
                merges.put(name, r);
            }
        }
        try (ModelSet models = ModelSet.open(recipe, workingDir, merges::containsKey)) {
            // Directory models first: their configs are checked against the path before anything is merged.
            List<String> names = List.copyOf(index.keySet());
            LlamaConfig[] configs = new LlamaConfig[names.size()];
            for (int i = 0; i < configs.length; i++) {
                if (!merges.containsKey(names.get(i))) {
                    Checkpoint c = models.checkpoint(names.get(i));
                    configs[i] = LlamaConfig.fromJson(c.config(), c.dir().resolve(Checkpoint.CONFIG));
                }
            }
            List<ModelWeights> loaded = new ArrayList<>();
            try {
                ModelWeights[] weights = new ModelWeights[names.size()];
                Path tokenizerDir = null;
                for (int i = 0; i < names.size(); i++) {
                    MergeRecipe r = merges.get(names.get(i));
                    if (r != null) {
                        Merged m = merge(r, workingDir.resolve(names.get(i)), workingDir, device, cache);
                        loaded.add(m.weights());
                        weights[i] = m.weights();
                        configs[i] = m.config();
                        if (i == 0) {
                            tokenizerDir = m.tokenizerDir();
                        }
                    }
                }
                try {
                    path.validateConfigs(List.of(configs));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(recipe.origin().at("layer_path") + ": " + e.getMessage(), e);
                }
                for (int i = 0; i < names.size(); i++) {
                    if (weights[i] == null) {
                        Checkpoint c = models.checkpoint(names.get(i));
                        weights[i] = ModelWeights.load(configs[i], TensorSource.of(c), device);
                        loaded.add(weights[i]);
                        if (i == 0) {
                            tokenizerDir = c.dir();
                        }
                    }
                }
                return new EvalTarget(LanguageModel.of(path, List.of(weights)), loaded, tokenizerDir);
            } catch (RuntimeException e) {
                loaded.forEach(ModelWeights::close);
                throw e;
            }
        }
    }

    private static TensorSource inMemory(Map<String, TensorView> tensors, Path location) {
        return new TensorSource() {
            @Override
            public boolean has(String name) {
                return tensors.containsKey(name);
            }

            @Override
            public TensorView tensor(String name) {
                TensorView t = tensors.get(name);
                if (t == null) {
                    throw new IllegalArgumentException(location + ": the merged model has no tensor '" + name + "'");
                }
                return t;
            }

            @Override
            public Path location() {
                return location;
            }
        };
    }

    public LanguageModel model() {
        return model;
    }

    /** The directory whose tokenizer.json goes with this model. */
    public Path tokenizerDir() {
        return tokenizerDir;
    }

    @Override
    public void close() {
        weights.forEach(ModelWeights::close);
    }

}
