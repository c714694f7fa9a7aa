package dev.evomerge.space;

import dev.evomerge.recipe.LayerStep;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.ModelEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The data-flow space of Akiba et al. (2024): a path through the layers of M source models. The layers are laid
 * out in slots, model after model, and the whole sequence repeated {@code r} times, so there are
 * {@code T = r * (L_1 + ... + L_M)} slots in order; a path is the included slots in slot order.
 *
 * <p>Two slots anchor the path and are always included: the first slot (first model, layer 0, first
 * repetition) and the first model's last layer in the last repetition, so a path always starts and finishes
 * inside the model whose embeddings and head it runs with.
 *
 * <p>Gene layout: one inclusion gene in [0, 1) per slot that is not an anchor, in slot order (included when
 * {@code >= 0.5}), then the scaling matrix {@code W} row-major, genes in [0, {@code maxScale}). The state
 * entering a step is multiplied by {@code W[model of the previous step][model of this step]}; the first step's
 * scale is 1.
 *
 * {@snippet :
 * LayerRoutingSpace space = new LayerRoutingSpace(List.of("./a", "./b"), List.of(24, 24), 2, 2.0);
 * MergeRecipe recipe = space.decode(genes);   // passthrough with a layer_path
 * int cost = space.pathLength(genes);         // second objective
 * }
 */
public final class LayerRoutingSpace implements SearchSpace {

    /** Upper bound of the scaling genes unless given. */
    public static final double DEFAULT_MAX_SCALE = 2.0;

    /** Where one slot sits: which model and layer, in which repetition. */
    public record Slot(int model, int layer, int repeat) {
    }

    private final List<String> models;
    private final List<Integer> numLayers;
    private final int repeats;
    private final double maxScale;
    private final List<Slot> slots;
    private final int firstAnchor;
    private final int lastAnchor;
    /** For each indicator gene, the slot it switches. */
    private final int[] geneSlot;
    private final List<String> names;

    public LayerRoutingSpace(List<String> models, List<Integer> numLayers, int repeats) {
        this(models, numLayers, repeats, DEFAULT_MAX_SCALE);
    }

    /**
     * @param models    the source models' directories, in slot order
     * @param numLayers each model's layer count
     * @param repeats   how often the layer sequence repeats ({@code r >= 1})
     * @param maxScale  exclusive upper bound of the scaling genes ({@code > 0})
     */
    public LayerRoutingSpace(List<String> models, List<Integer> numLayers, int repeats, double maxScale) {
        this.models = List.copyOf(Objects.requireNonNull(models, "models"));
        this.numLayers = List.copyOf(Objects.requireNonNull(numLayers, "numLayers"));
        if (this.models.isEmpty()) {
            throw new IllegalArgumentException("layer_routing.models: needs at least one model");
        }
        if (this.models.size() != this.numLayers.size()) {
            throw new IllegalArgumentException("layer_routing: " + this.models.size() + " models but "
                    + this.numLayers.size() + " layer counts");
        }
        if (new HashSet<>(this.models).size() != this.models.size()) {
            throw new IllegalArgumentException("layer_routing.models: a model is listed twice");
        }
        for (int m = 0; m < this.models.size(); m++) {
            if (this.numLayers.get(m) < 1) {
                throw new IllegalArgumentException("layer_routing: model " + this.models.get(m) + " has "
                        + this.numLayers.get(m) + " layers");
            }
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("layer_routing.repeats: must be >= 1, got " + repeats);
        }
        if (!(maxScale > 0) || !Double.isFinite(maxScale)) {
            throw new IllegalArgumentException("layer_routing.max_scale: must be > 0, got " + maxScale);
        }
        this.repeats = repeats;
        this.maxScale = maxScale;
        List<Slot> all = new ArrayList<>();
        int last = -1;
        for (int r = 0; r < repeats; r++) {
            for (int m = 0; m < this.models.size(); m++) {
                for (int l = 0; l < this.numLayers.get(m); l++) {
                    if (r == repeats - 1 && m == 0 && l == this.numLayers.get(0) - 1) {
                        last = all.size();
                    }
                    all.add(new Slot(m, l, r));
                }
            }
        }
        this.slots = List.copyOf(all);
        this.firstAnchor = 0;
        this.lastAnchor = last;
        List<Integer> free = new ArrayList<>();
        this.names = new ArrayList<>();
        for (int k = 0; k < slots.size(); k++) {
            if (k != firstAnchor && k != lastAnchor) {
                free.add(k);
                Slot s = slots.get(k);
                names.add("slot " + k + ": " + this.models.get(s.model()) + " layer " + s.layer()
                        + " (repeat " + s.repeat() + ") / include");
            }
        }
        this.geneSlot = free.stream().mapToInt(Integer::intValue).toArray();
        for (String from : this.models) {
            for (String to : this.models) {
                names.add("scale " + from + " -> " + to);
            }
        }
    }

    public List<String> models() {
        return models;
    }

    /** All T slots in order. */
    public List<Slot> slots() {
        return slots;
    }

    /** The two always-included slots: the first, and the first model's last layer in the last repetition. */
    public List<Integer> anchors() {
        return firstAnchor == lastAnchor ? List.of(firstAnchor) : List.of(firstAnchor, lastAnchor);
    }

    /** Index of the scaling gene for the hop from model {@code from} to model {@code to}. */
    public int scaleGene(int from, int to) {
        return geneSlot.length + from * models.size() + to;
    }

    @Override
    public int dimension() {
        return names.size();
    }

    @Override
    public List<String> geneNames() {
        return List.copyOf(names);
    }

    @Override
    public double lower(int i) {
        return 0.0;
    }

    @Override
    public double upper(int i) {
        return i < geneSlot.length ? 1.0 : maxScale;
    }

    @Override
    public MergeRecipe decode(double[] genes) {
        checkExact(genes);
        return recipe(models, path(genes, 0, models));
    }

    /** Number of layers the decoded path runs: the inference cost objective. */
    public int pathLength(double[] genes) {
        checkExact(genes);
        return includedSlots(genes, 0).size();
    }

    /** The path as steps naming the models by {@code names} (same order as {@link #models()}); genes from {@code offset}. */
    List<LayerStep> path(double[] genes, int offset, List<String> names) {
        checkLength(genes, offset);
        List<LayerStep> steps = new ArrayList<>();
        int previous = -1;
        for (int k : includedSlots(genes, offset)) {
            Slot s = slots.get(k);
            double scale = previous < 0 ? 1.0 : clampScale(genes[offset + scaleGene(previous, s.model())]);
            steps.add(new LayerStep(names.get(s.model()), s.layer(), scale));
            previous = s.model();
        }
        return steps;
    }

    /** A passthrough recipe over {@code names} running {@code path}. */
    static MergeRecipe recipe(List<String> names, List<LayerStep> path) {
        List<ModelEntry> entries = names.stream().map(n -> new ModelEntry(n, Map.of())).toList();
        return new MergeRecipe("passthrough", null, entries, List.of(), Map.of(), null, null, null, path, null);
    }

    private List<Integer> includedSlots(double[] genes, int offset) {
        boolean[] in = new boolean[slots.size()];
        in[firstAnchor] = true;
        in[lastAnchor] = true;
        for (int g = 0; g < geneSlot.length; g++) {
            double v = genes[offset + g];
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("gene " + g + " (" + names.get(g) + ") is NaN");
            }
            in[geneSlot[g]] = v >= 0.5;
        }
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < in.length; k++) {
            if (in[k]) {
                out.add(k);
            }
        }
        return out;
    }

    private double clampScale(double v) {
        if (Double.isNaN(v)) {
            throw new IllegalArgumentException("a scaling gene is NaN");
        }
        return Math.max(0.0, Math.min(maxScale, v));
    }

    private void checkExact(double[] genes) {
        if (genes.length != dimension()) {
            throw new IllegalArgumentException("expected " + dimension() + " genes, got " + genes.length);
        }
    }

    private void checkLength(double[] genes, int offset) {
        if (genes.length - offset < dimension()) {
            throw new IllegalArgumentException("expected " + dimension() + " routing genes, got "
                    + (genes.length - offset));
        }
    }
}
