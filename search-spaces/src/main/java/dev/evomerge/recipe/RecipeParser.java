package dev.evomerge.recipe;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.recipe.YamlNode.Entry;
import dev.evomerge.recipe.YamlNode.ListNode;
import dev.evomerge.recipe.YamlNode.MapNode;
import dev.evomerge.recipe.YamlNode.ScalarNode;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads mergekit recipe YAML into a {@link MergeRecipe}. Every error is a {@link RecipeException} whose
 * one-line message starts with {@code file:line:} and names the offending key. Parameter names are kept
 * as written: they depend on the merge method and are checked by the planner through
 * {@link MergeRecipe#parameterSites()}.
 *
 * {@snippet :
 * MergeRecipe r = RecipeParser.parse(Path.of("recipe.yaml"));
 * // recipe.yaml:7: unknown key 'weigth' in models[1]
 * }
 */
public final class RecipeParser {

    private static final Set<String> TOP_KEYS = Set.of("merge_method", "base_model", "models", "slices",
            "parameters", "dtype", "out_dtype", "tokenizer_source", "layer_path");
    private static final Set<String> UNSUPPORTED_TOP_KEYS = Set.of("modules", "tokenizer", "chat_template");
    private static final Set<String> MODEL_KEYS = Set.of("model", "parameters");
    /** mergekit's keys below the top level that evomerge does not implement (a slice's residual_weight). */
    private static final Set<String> UNSUPPORTED_NESTED_KEYS = Set.of("residual_weight");
    private static final Set<String> SLICE_KEYS = Set.of("sources", "parameters", "base_model");
    private static final Set<String> SOURCE_KEYS = Set.of("model", "layer_range", "parameters");
    private static final Set<String> FILTER_KEYS = Set.of("filter", "value");
    private static final Set<String> STEP_KEYS = Set.of("model", "layer", "scale");

    private final String source;
    private final Map<String, Integer> lines = new HashMap<>();

    private RecipeParser(String source) {
        this.source = source;
    }

    /** Parses a recipe file; error messages name the file as given. */
    public static MergeRecipe parse(Path yaml) {
        String text;
        try {
            text = Files.readString(yaml);
        } catch (IOException e) {
            throw new RecipeException(yaml + ": cannot read recipe: " + switch (e) {
                case NoSuchFileException n -> "no such file";
                case AccessDeniedException a -> "permission denied";
                case CharacterCodingException c -> "not UTF-8 text";
                default -> e.getMessage();
            }, e);
        }
        return parse(text, yaml.toString());
    }

    /** Parses recipe text; {@code sourceName} is the file name used in error messages. */
    public static MergeRecipe parse(String text, String sourceName) {
        return new RecipeParser(sourceName).recipe(text);
    }

    private MergeRecipe recipe(String text) {
        YamlNode root;
        try {
            // compose, like yaml.safe_load, refuses a second document in the stream.
            Node node = new Yaml(new LoaderOptions()).compose(new StringReader(text));
            if (node == null) {
                throw new RecipeException(source + ":1: recipe is empty");
            }
            root = YamlNode.of(node, (key, line) -> {
                throw fail(line, "duplicate key '" + key + "'");
            });
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String context = e.getContext() == null ? "" : e.getContext() + ": ";
            throw fail(mark == null ? 0 : mark.getLine() + 1, "invalid YAML: " + context + e.getProblem(), e);
        } catch (YAMLException e) {
            throw fail(0, "invalid YAML: " + firstLine(e.getMessage()), e);
        } catch (YamlNode.Invalid e) {
            throw fail(e.line(), "invalid YAML: " + e.getMessage(), e);
        }
        if (!(root instanceof MapNode top)) {
            throw fail(root.line(), "a recipe must be a map of keys (merge_method, models, ...), got " + root.kind());
        }
        for (Entry e : top.entries().values()) {
            lines.put(e.key(), e.keyLine());
            if (UNSUPPORTED_TOP_KEYS.contains(e.key())) {
                throw fail(e.keyLine(), "key '" + e.key() + "' is not supported by evomerge");
            }
            if (!TOP_KEYS.contains(e.key())) {
                throw fail(e.keyLine(), "unknown key '" + e.key() + "' at top level (expected one of "
                        + String.join(", ", sorted(TOP_KEYS)) + ")");
            }
        }
        String method = requiredString(top, "merge_method", "merge_method", "");
        if (method.isBlank()) {
            throw fail(top.entries().get("merge_method").keyLine(), "'merge_method' is empty");
        }
        Entry modelsEntry = present(top, "models");
        Entry slicesEntry = present(top, "slices");
        if (modelsEntry != null && slicesEntry != null) {
            throw fail(slicesEntry.keyLine(), "give either 'models' or 'slices', not both");
        }
        if (modelsEntry == null && slicesEntry == null) {
            throw fail(top.line(), "missing key 'models' or 'slices'");
        }
        List<ModelEntry> models = modelsEntry == null ? List.of() : models(modelsEntry);
        List<SliceDef> slices = slicesEntry == null ? List.of() : slices(slicesEntry);
        return new MergeRecipe(
                method,
                optionalString(top, "base_model", "base_model"),
                models,
                slices,
                parameters(top.entries().get("parameters"), "parameters"),
                dtype(top, "dtype"),
                dtype(top, "out_dtype"),
                tokenizerSource(top),
                layerPath(present(top, "layer_path")),
                new RecipeOrigin(source, lines));
    }

    private List<ModelEntry> models(Entry entry) {
        ListNode list = nonEmptyList(entry, "models");
        List<ModelEntry> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.items().size(); i++) {
            String path = "models[" + i + "]";
            MapNode item = item(list.items().get(i), path, "{model: ..., parameters: ...}");
            checkKeys(item, MODEL_KEYS, path);
            String model = requiredString(item, "model", path + ".model", " in " + path);
            if (!seen.add(model)) {
                throw fail(item.entries().get("model").keyLine(), "model '" + model + "' is listed twice in 'models'");
            }
            out.add(new ModelEntry(model, parameters(item.entries().get("parameters"), path + ".parameters")));
        }
        return out;
    }

    private List<SliceDef> slices(Entry entry) {
        ListNode list = nonEmptyList(entry, "slices");
        List<SliceDef> out = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            String path = "slices[" + i + "]";
            MapNode item = item(list.items().get(i), path, "{sources: [...]}");
            checkKeys(item, SLICE_KEYS, path);
            Entry sourcesEntry = present(item, "sources");
            if (sourcesEntry == null) {
                throw fail(item.line(), "missing key 'sources' in " + path);
            }
            ListNode sources = nonEmptyList(sourcesEntry, path + ".sources");
            List<SliceSource> parsed = new ArrayList<>();
            for (int j = 0; j < sources.items().size(); j++) {
                String spath = path + ".sources[" + j + "]";
                MapNode src = item(sources.items().get(j), spath, "{model: ..., layer_range: [start, end]}");
                checkKeys(src, SOURCE_KEYS, spath);
                String model = requiredString(src, "model", spath + ".model", " in " + spath);
                if (parsed.stream().anyMatch(s -> s.model().equals(model))) {
                    // mergekit keys a slice's inputs by model, so it would silently merge only the last of them.
                    throw fail(src.entries().get("model").keyLine(), "model '" + model + "' appears twice in "
                            + path + "; a slice takes each model once (mergekit would keep only the last)");
                }
                LayerRange range = layerRange(src, spath);
                if (!parsed.isEmpty() && parsed.getFirst().layerRange().size() != range.size()) {
                    throw fail(src.entries().get("layer_range").keyLine(), spath + ".layer_range covers "
                            + range.size() + " layers but " + path + ".sources[0] covers "
                            + parsed.getFirst().layerRange().size() + ": all sources of a slice must match");
                }
                parsed.add(new SliceSource(model, range, parameters(src.entries().get("parameters"),
                        spath + ".parameters")));
            }
            out.add(new SliceDef(parsed, parameters(item.entries().get("parameters"), path + ".parameters"),
                    optionalString(item, "base_model", path + ".base_model")));
        }
        return out;
    }

    private LayerRange layerRange(MapNode src, String spath) {
        Entry e = present(src, "layer_range");
        String key = spath + ".layer_range";
        if (e == null) {
            throw fail(src.line(), "missing key 'layer_range' in " + spath);
        }
        if (!(e.value() instanceof ListNode list) || list.items().size() != 2
                || !(list.items().get(0) instanceof ScalarNode a) || !(a.value() instanceof Number)
                || !(list.items().get(1) instanceof ScalarNode b) || !(b.value() instanceof Number)
                || !isInt(a) || !isInt(b)) {
            throw fail(e.keyLine(), "'layer_range' in " + spath + " must be [start, end] with two integers");
        }
        long start = ((Number) a.value()).longValue();
        long end = ((Number) b.value()).longValue();
        if (start < 0 || end > Integer.MAX_VALUE) {
            throw fail(e.keyLine(), "'layer_range' in " + spath + " is out of range: [" + start + ", " + end + "]");
        }
        if (start >= end) {
            throw fail(e.keyLine(), "'layer_range' in " + spath + " is empty: start " + start
                    + " must be below end " + end);
        }
        lines.put(key, e.keyLine());
        return new LayerRange((int) start, (int) end);
    }

    private Map<String, ParameterValue> parameters(Entry entry, String path) {
        if (entry == null || isNull(entry.value())) {
            return Map.of();
        }
        if (!(entry.value() instanceof MapNode map)) {
            throw fail(entry.keyLine(), "'" + path + "' must be a map of parameter names to values, got "
                    + entry.value().kind());
        }
        Map<String, ParameterValue> out = new LinkedHashMap<>();
        for (Entry e : map.entries().values()) {
            String ppath = path + "." + e.key();
            lines.put(ppath, e.keyLine());
            out.put(e.key(), value(e.value(), e.keyLine(), ppath, true));
        }
        return out;
    }

    /** A parameter value; {@code allowFilters} is false inside a filter entry (no nesting). */
    private ParameterValue value(YamlNode node, int keyLine, String path, boolean allowFilters) {
        String expected = allowFilters
                ? "a number, a boolean, a list of numbers or a list of {filter, value}"
                : "a number, a boolean or a list of numbers";
        switch (node) {
            case ScalarNode s when s.value() instanceof Boolean b -> {
                return ParameterValue.Scalar.of(b);
            }
            case ScalarNode s when s.isNumber() -> {
                return finite(s, path, keyLine);
            }
            case ScalarNode s -> throw fail(keyLine, "invalid value for '" + path + "': expected " + expected
                    + ", got " + s.kind() + describe(s));
            case MapNode m -> throw fail(keyLine, "invalid value for '" + path + "': expected " + expected
                    + ", got a map" + (allowFilters ? " (write a filter entry inside a list: - {filter: ..., value: ...})" : ""));
            case ListNode list -> {
                if (list.items().isEmpty()) {
                    throw fail(keyLine, "invalid value for '" + path + "': the list is empty");
                }
                if (list.items().stream().allMatch(n -> n instanceof ScalarNode s && !(s.value() instanceof Boolean)
                        && s.isNumber())) {
                    List<Double> values = new ArrayList<>();
                    for (YamlNode n : list.items()) {
                        values.add(finiteNumber((ScalarNode) n, path, n.line()));
                    }
                    return new ParameterValue.Gradient(values);
                }
                if (allowFilters && list.items().stream().allMatch(n -> n instanceof MapNode)) {
                    List<ParameterValue.FilterEntry> entries = new ArrayList<>();
                    for (int i = 0; i < list.items().size(); i++) {
                        entries.add(filterEntry((MapNode) list.items().get(i), path + "[" + i + "]"));
                    }
                    return new ParameterValue.Filtered(entries);
                }
                YamlNode bad = list.items().stream()
                        .filter(n -> !(n instanceof ScalarNode s && s.isNumber() && !(s.value() instanceof Boolean)))
                        .findFirst().orElse(list);
                throw fail(bad.line(), "invalid value for '" + path + "': expected " + expected
                        + ", got a list containing " + bad.kind() + (bad instanceof ScalarNode s ? describe(s) : ""));
            }
        }
    }

    private ParameterValue.FilterEntry filterEntry(MapNode map, String path) {
        lines.put(path, map.line());
        for (Entry e : map.entries().values()) {
            if (!FILTER_KEYS.contains(e.key())) {
                throw fail(e.keyLine(), "unknown key '" + e.key() + "' in filter entry " + path
                        + " (expected filter, value)");
            }
        }
        Entry filter = map.entries().get("filter");
        String f = null;
        if (filter != null && !isNull(filter.value())) {
            if (!(filter.value() instanceof ScalarNode s) || !(s.value() instanceof String str)) {
                throw fail(filter.keyLine(), "'filter' in " + path + " must be a string, got " + filter.value().kind());
            }
            f = str;
        }
        Entry value = map.entries().get("value");
        if (value == null) {
            throw fail(map.line(), "missing key 'value' in filter entry " + path);
        }
        return new ParameterValue.FilterEntry(f, value(value.value(), value.keyLine(), path + ".value", false));
    }

    private List<LayerStep> layerPath(Entry entry) {
        if (entry == null) {
            return List.of();
        }
        ListNode list = nonEmptyList(entry, "layer_path");
        List<LayerStep> out = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            String path = "layer_path[" + i + "]";
            MapNode step = item(list.items().get(i), path, "{model: ..., layer: N, scale: x}");
            checkKeys(step, STEP_KEYS, path);
            String model = requiredString(step, "model", path + ".model", " in " + path);
            Entry layer = present(step, "layer");
            if (layer == null) {
                throw fail(step.line(), "missing key 'layer' in " + path);
            }
            if (!(layer.value() instanceof ScalarNode l) || !(l.value() instanceof Number) || !isInt(l)
                    || ((Number) l.value()).longValue() < 0 || ((Number) l.value()).longValue() > Integer.MAX_VALUE) {
                throw fail(layer.keyLine(), "'layer' in " + path + " must be an integer >= 0");
            }
            double scale = 1.0;
            Entry scaleEntry = present(step, "scale");
            if (scaleEntry != null) {
                if (!(scaleEntry.value() instanceof ScalarNode s) || !s.isNumber() || !Double.isFinite(s.number())) {
                    throw fail(scaleEntry.keyLine(), "'scale' in " + path + " must be a number");
                }
                scale = s.number();
            }
            out.add(new LayerStep(model, ((Number) l.value()).intValue(), scale));
        }
        return out;
    }

    private String dtype(MapNode top, String key) {
        String value = optionalString(top, key, key);
        if (value != null) {
            try {
                DType.fromTorchName(value.startsWith("torch.") ? value.substring("torch.".length()) : value);
            } catch (IllegalArgumentException e) {
                throw fail(top.entries().get(key).keyLine(), "unknown " + key + " '" + value
                        + "' (expected float32, float16 or bfloat16)");
            }
        }
        return value;
    }

    // ---- small helpers ---------------------------------------------------------------------------------

    private ParameterValue finite(ScalarNode s, String path, int line) {
        return ParameterValue.Scalar.of(finiteNumber(s, path, line));
    }

    private double finiteNumber(ScalarNode s, String path, int line) {
        double d;
        try {
            d = s.number();
        } catch (NumberFormatException e) {
            throw fail(line, "invalid number for '" + path + "': " + s.value());
        }
        if (!Double.isFinite(d)) {
            throw fail(line, "invalid value for '" + path + "': numbers must be finite, got " + s.value());
        }
        return d;
    }

    private void checkKeys(MapNode map, Set<String> allowed, String path) {
        for (Entry e : map.entries().values()) {
            lines.put(path + "." + e.key(), e.keyLine());
            if (UNSUPPORTED_NESTED_KEYS.contains(e.key())) {
                throw fail(e.keyLine(), "key '" + e.key() + "' in " + path + " is not supported by evomerge");
            }
            if (!allowed.contains(e.key())) {
                throw fail(e.keyLine(), "unknown key '" + e.key() + "' in " + path + " (expected one of "
                        + String.join(", ", sorted(allowed)) + ")");
            }
        }
    }

    private MapNode item(YamlNode node, String path, String shape) {
        lines.put(path, node.line());
        if (!(node instanceof MapNode map)) {
            throw fail(node.line(), path + " must be a map " + shape + ", got " + node.kind());
        }
        return map;
    }

    private ListNode nonEmptyList(Entry entry, String path) {
        if (!(entry.value() instanceof ListNode list)) {
            throw fail(entry.keyLine(), "'" + path + "' must be a list, got " + entry.value().kind());
        }
        if (list.items().isEmpty()) {
            throw fail(entry.keyLine(), "'" + path + "' is empty");
        }
        return list;
    }

    /** The entry for a key unless it is absent or explicitly empty ({@code key:} or {@code key: null}). */
    private static Entry present(MapNode map, String key) {
        Entry e = map.entries().get(key);
        return e == null || isNull(e.value()) ? null : e;
    }

    private String requiredString(MapNode map, String key, String path, String where) {
        String s = optionalString(map, key, path);
        if (s == null) {
            Entry e = map.entries().get(key);
            throw fail(e == null ? map.line() : e.keyLine(), "missing key '" + key + "'" + where);
        }
        return s;
    }

    private String optionalString(MapNode map, String key, String path) {
        Entry e = present(map, key);
        if (e == null) {
            return null;
        }
        if (!(e.value() instanceof ScalarNode s) || !(s.value() instanceof String str)) {
            throw fail(e.keyLine(), "'" + key + "'" + (path.equals(key) ? "" : " in " + path.substring(0,
                    path.length() - key.length() - 1)) + " must be a string, got " + e.value().kind());
        }
        return str;
    }

    /** {@code tokenizer_source}: "base" or a model's path; mergekit's "union" builds a vocabulary we do not. */
    private String tokenizerSource(MapNode top) {
        String source = optionalString(top, "tokenizer_source", "tokenizer_source");
        if ("union".equals(source)) {
            throw fail(top.entries().get("tokenizer_source").keyLine(), "tokenizer_source 'union' (a merged"
                    + " vocabulary) is not supported by evomerge; use base or a model's path");
        }
        return source;
    }

    private static boolean isNull(YamlNode node) {
        return node instanceof ScalarNode s && s.value() == null;
    }

    private static boolean isInt(ScalarNode s) {
        return s.value() instanceof Long || s.value() instanceof Integer || s.value() instanceof java.math.BigInteger;
    }

    private static String describe(ScalarNode s) {
        return s.value() == null ? "" : " '" + s.value() + "'";
    }

    private static List<String> sorted(Set<String> keys) {
        return keys.stream().sorted().toList();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    private RecipeException fail(int line, String message) {
        return fail(line, message, null);
    }

    private RecipeException fail(int line, String message, Throwable cause) {
        String at = line > 0 ? source + ":" + line : source;
        return new RecipeException(at + ": " + message.replace('\n', ' '), cause);
    }
}
