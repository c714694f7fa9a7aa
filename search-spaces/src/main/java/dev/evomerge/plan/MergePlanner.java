package dev.evomerge.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.arch.Architecture;
import dev.evomerge.checkpoint.Checkpoint;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Shape;
import dev.evomerge.checkpoint.TensorSpec;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.MergeInputs;
import dev.evomerge.merge.MergeMethod;
import dev.evomerge.merge.MergeMethods;
import dev.evomerge.merge.ParameterSpec;
import dev.evomerge.merge.Parameters;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.OutputLayer;
import dev.evomerge.recipe.ParameterResolver;
import dev.evomerge.recipe.ParameterSite;
import dev.evomerge.recipe.RecipeException;
import dev.evomerge.recipe.RecipeLayout;
import dev.evomerge.recipe.SliceDef;
import dev.evomerge.recipe.SliceSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Compiles a mergekit recipe into a {@link MergePlan}, as mergekit's planner does: pre-layer weights from
 * the first slice, each output layer from its slice's sources (input layer = range start + offset), post-layer
 * weights from the last slice. It reads headers only, never tensor bytes, and reports every problem
 * (unknown parameter, missing tensor, mismatched shapes) before anything is written.
 *
 * {@snippet :
 * try (ModelSet models = ModelSet.open(recipe, Path.of("."))) {
 *     MergePlan plan = MergePlanner.plan(recipe, models);
 * }
 * }
 */
public final class MergePlanner {

    private final MergeRecipe recipe;
    private final ModelSet models;
    private final MergeMethod method;
    private final ParameterResolver resolver;
    private final String recipeHash;
    private final DType forcedDtype;

    private MergePlanner(MergeRecipe recipe, ModelSet models) {
        this.recipe = recipe;
        this.models = models;
        this.method = method(recipe);
        this.resolver = new ParameterResolver(recipe);
        this.recipeHash = recipe.contentHash();
        String dtype = recipe.outDtype() != null ? recipe.outDtype() : recipe.dtype();
        this.forcedDtype = dtype == null ? null : DType.fromTorchName(dtype.replaceFirst("^torch\\.", ""));
    }

    public static MergePlan plan(MergeRecipe recipe, ModelSet models) {
        return new MergePlanner(recipe, models).plan();
    }

    /**
     * The checks that need no checkpoint (method known, every parameter name accepted by it), so a typo in a
     * recipe is reported before any model is opened.
     */
    public static void validate(MergeRecipe recipe) {
        checkParameterNames(recipe, method(recipe));
    }

    private static MergeMethod method(MergeRecipe recipe) {
        try {
            return MergeMethods.byName(recipe.mergeMethod());
        } catch (IllegalArgumentException e) {
            throw new RecipeException(recipe.origin().at("merge_method") + ": " + e.getMessage(), e);
        }
    }

    private MergePlan plan() {
        checkParameterNames(recipe, method);
        RecipeLayout layout = recipe.layout(this::numLayers);
        checkLayerRanges();
        String reference = referenceModel(layout);
        ModelSet.Model ref = models.model(reference);
        Architecture arch = ref.architecture();
        checkSameArchitecture(arch);

        List<TensorTask> tasks = new ArrayList<>();
        for (Architecture.Weight w : arch.preWeightInfo()) {
            planTensor(w.name(), layout.preSlice(), layout, RecipeLayout.NON_LAYER_T, source -> w.name(), ref)
                    .ifPresent(tasks::add);
        }
        for (OutputLayer layer : layout.layers()) {
            for (String outName : arch.layerWeights(layer.index())) {
                String template = outName;
                planTensor(outName, layer.slice(), layout, layer.t(),
                        source -> arch.renameLayer(template, layer.inputLayer(source)), ref).ifPresent(tasks::add);
            }
        }
        for (Architecture.Weight w : arch.postWeightInfo()) {
            planTensor(w.name(), layout.postSlice(), layout, RecipeLayout.NON_LAYER_T, source -> w.name(), ref)
                    .ifPresent(tasks::add);
        }
        DType configDtype = forcedDtype != null ? forcedDtype : dominantDtype(tasks);
        ObjectNode config = ref.checkpoint().config().deepCopy();
        config.put(arch.numLayersKey(), layout.numLayers());
        return new MergePlan(recipe, tasks, config, configDtype, tokenizerModel(reference));
    }

    private int numLayers(String model) {
        ModelSet.Model m = models.model(model);
        return m.architecture().numLayers(m.checkpoint().config(), m.checkpoint().dir().resolve(Checkpoint.CONFIG));
    }

    /** A slice's layer_range past its model's last layer, named at its line rather than as a missing tensor. */
    private void checkLayerRanges() {
        for (int i = 0; i < recipe.slices().size(); i++) {
            List<SliceSource> sources = recipe.slices().get(i).sources();
            for (int j = 0; j < sources.size(); j++) {
                SliceSource source = sources.get(j);
                int layers = numLayers(source.model());
                if (source.layerRange().end() > layers) {
                    throw new RecipeException(recipe.origin().at("slices[" + i + "].sources[" + j + "].layer_range")
                            + ": layer_range [" + source.layerRange().start() + ", " + source.layerRange().end()
                            + "] goes past the last layer of model '" + source.model() + "', which has " + layers);
                }
            }
        }
    }

    /**
     * The model whose config.json and architecture the output takes: the recipe's base_model (as in mergekit,
     * even where the first slice names its own), else the first slice's, else its first source.
     */
    private String referenceModel(RecipeLayout layout) {
        if (recipe.baseModel() != null) {
            return recipe.baseModel();
        }
        String base = layout.baseModel(layout.preSlice());
        return base != null ? base : layout.preSlice().sources().getFirst().model();
    }

    private String tokenizerModel(String reference) {
        String source = recipe.tokenizerSource();
        if (source == null || source.equals("base")) {
            return reference;
        }
        return source;
    }

    private static void checkParameterNames(MergeRecipe recipe, MergeMethod method) {
        Set<String> known = new HashSet<>();
        method.parameters().forEach(p -> known.add(p.name()));
        for (ParameterSite site : recipe.parameterSites()) {
            if (!known.contains(site.name())) {
                throw new RecipeException(site.where() + ": unknown parameter '" + site.name() + "' for merge_method "
                        + method.name() + " (accepted: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private void checkSameArchitecture(Architecture arch) {
        for (String name : models.names()) {
            ModelSet.Model m = models.model(name);
            if (!m.architecture().modelType().equals(arch.modelType())) {
                throw new IllegalArgumentException(m.checkpoint().dir().resolve(Checkpoint.CONFIG)
                        + ": architecture " + m.architecture().modelType() + " differs from " + arch.modelType());
            }
        }
    }

    /**
     * One output tensor, or empty when it is an optional weight (a tied lm_head) none of the slice's models has.
     *
     * @param inputName the tensor's name in a given source (layer index moved for slices)
     */
    private Optional<TensorTask> planTensor(String outName, SliceDef slice, RecipeLayout layout, double t,
                                            java.util.function.Function<SliceSource, String> inputName,
                                            ModelSet.Model reference) {
        Architecture arch = reference.architecture();
        if (arch.isOptional(outName) && !anySourceHas(slice, inputName)) {
            return Optional.empty();
        }
        String baseName = method.takesBase() ? layout.baseModel(slice) : null;
        if (method.requiresBase() && baseName == null) {
            throw new RecipeException(recipe.origin().at("merge_method") + ": merge_method " + method.name()
                    + " needs base_model");
        }
        InputTensor base = null;
        TensorView baseView = null;
        List<TensorTask.Source> sources = new ArrayList<>();
        List<MergeInputs.Source> views = new ArrayList<>();
        Shape shape = null;
        TensorView first = null;
        for (SliceSource source : slice.sources()) {
            InputTensor input = new InputTensor(source.model(), inputName.apply(source));
            TensorView view = view(input, arch);
            if (first == null) {
                first = view;
                shape = view.shape();
            } else if (!view.shape().equals(shape)) {
                throw new IllegalArgumentException("tensor '" + outName + "': shape " + view.shape() + " in "
                        + models.checkpoint(source.model()).dir() + " differs from " + shape + " in "
                        + models.checkpoint(slice.sources().getFirst().model()).dir());
            }
            String requested = input.tensorName();
            input = new InputTensor(source.model(), view.name());
            if (source.model().equals(baseName) && base == null) {
                base = input;
                baseView = view;
            } else {
                // Filters match the name asked for (lm_head.weight), not the tied tensor standing in for it.
                Parameters parameters = perModel(slice, source.model(), requested, t);
                sources.add(new TensorTask.Source(input, parameters));
                views.add(new MergeInputs.Source(view, parameters));
            }
        }
        if (baseName != null && base == null) {
            throw new RecipeException(recipe.origin().at("base_model") + ": base model '" + baseName
                    + "' is not among the sources of the slice that makes " + outName);
        }
        DType dtype = forcedDtype != null ? forcedDtype : outputDtype(baseView, first, views);
        Parameters global = withDefaults(ParameterSpec.Scope.GLOBAL,
                resolver.resolve(slice, null, outName, t), outName, null);
        long seed = seed(outName);
        try {
            method.check(new MergeInputs(baseView, views, global, seed));
        } catch (IllegalArgumentException e) {
            throw new RecipeException(recipe.origin().at(recipe.usesSlices() ? "slices" : "models") + ": "
                    + e.getMessage(), e);
        }
        return Optional.of(new TensorTask(new TensorSpec(outName, dtype, shape), method, base, sources, global,
                seed));
    }

    /** Whether an optional weight is written: as in mergekit, when any of the slice's models has it itself. */
    private boolean anySourceHas(SliceDef slice, java.util.function.Function<SliceSource, String> inputName) {
        for (SliceSource source : slice.sources()) {
            if (models.checkpoint(source.model()).has(inputName.apply(source))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A tensor's dtype when the recipe sets none, as mergekit's methods leave it: the base's for those that
     * return {@code .to(base.dtype)}, the first model's for passthrough, and torch's promotion of all inputs
     * (float32 unless they agree) for linear and model stock, which stack them.
     */
    private DType outputDtype(TensorView base, TensorView first, List<MergeInputs.Source> sources) {
        DType own = (base != null ? base : first).dtype();
        if (method.promotesDtypes()) {
            for (MergeInputs.Source s : sources) {
                if (s.tensor().dtype() != own) {
                    return DType.F32;
                }
            }
        }
        return own;
    }

    /** The input's view; an optional weight a model lacks falls back to the weight it is tied to. */
    private TensorView view(InputTensor input, Architecture arch) {
        Checkpoint checkpoint = models.checkpoint(input.model());
        if (checkpoint.has(input.tensorName())) {
            return checkpoint.tensor(input.tensorName());
        }
        Optional<String> tied = arch.tiedTo(input.tensorName());
        if (tied.isPresent() && checkpoint.has(tied.get())) {
            return checkpoint.tensor(tied.get());
        }
        throw new IllegalArgumentException(checkpoint.dir() + ": tensor '" + input.tensorName()
                + "' is missing (model '" + input.model() + "')");
    }

    private Parameters perModel(SliceDef slice, String model, String tensorName, double t) {
        return withDefaults(ParameterSpec.Scope.PER_MODEL, resolver.resolve(slice, model, tensorName, t),
                tensorName, model);
    }

    private Parameters withDefaults(ParameterSpec.Scope scope, Map<String, Object> set, String tensor, String model) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParameterSpec spec : method.parameters()) {
            if (spec.scope() != scope) {
                continue;
            }
            Object v = set.get(spec.name());
            if (v == null) {
                v = spec.defaultValue();
            }
            if (v == null) {
                throw new RecipeException(recipe.origin().at("merge_method") + ": merge_method " + method.name()
                        + " needs parameter '" + spec.name() + "'"
                        + (model != null ? " for model '" + model + "'" : "") + " (tensor " + tensor + ")");
            }
            // mergekit's flags take true, false, 0 or 1; a gradient between 0 and 1 gives values it refuses.
            if (spec.defaultValue() instanceof Boolean && v instanceof Number n
                    && n.doubleValue() != 0 && n.doubleValue() != 1) {
                String where = recipe.parameterSites().stream().filter(site -> site.name().equals(spec.name()))
                        .map(ParameterSite::where).findFirst().orElse(recipe.origin().at("merge_method"));
                throw new RecipeException(where + ": parameter '" + spec.name()
                        + "' is a flag (true, false, 0 or 1), got " + n + " for tensor " + tensor);
            }
            values.put(spec.name(), v);
        }
        return Parameters.of(values);
    }

    /** Derived from the recipe's hash and the tensor's name, so a recipe always draws the same masks. */
    private long seed(String tensorName) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] d = sha.digest((recipeHash + "/" + tensorName).getBytes(StandardCharsets.UTF_8));
            long seed = 0;
            for (int i = 0; i < 8; i++) {
                seed = (seed << 8) | (d[i] & 0xff);
            }
            return seed;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DType dominantDtype(List<TensorTask> tasks) {
        Map<DType, Long> bytes = new HashMap<>();
        for (TensorTask task : tasks) {
            bytes.merge(task.output().dtype(), task.output().byteSize(), Long::sum);
        }
        return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse(DType.F32);
    }

}
