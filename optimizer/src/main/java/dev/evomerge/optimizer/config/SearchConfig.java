package dev.evomerge.optimizer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.evomerge.recipe.YamlAliases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A search config: mergekit-evolve's ({@code genome:}, {@code tasks:}) plus {@code layer_routing:},
 * {@code search:} and an optional {@code evaluation:} ({@link EvaluationSettings}). Task paths are relative to the config's folder; mergekit-evolve's {@code name:} form is
 * looked up among the task YAMLs in that folder. Every problem is one line naming the file and the key.
 *
 * {@snippet :
 * SearchConfig config = SearchConfig.load(Path.of("search.yaml"));
 * }
 *
 * @param genome       the {@code genome:} section as written (the parameter space), or {@code null}
 * @param layerRouting the {@code layer_routing:} section as written (the data-flow space), or {@code null}
 */
public record SearchConfig(Path file, JsonNode genome, JsonNode layerRouting, List<TaskRef> tasks,
                           SearchSettings search, EvaluationSettings evaluation, EvolveTaskSettings taskSettings) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP_KEYS = Set.of("genome", "tasks", "layer_routing", "search",
            "evaluation", "limit", "num_fewshot", "shuffle", "random_init", "apply_chat_template", "fewshot_as_multiturn");
    private static final Set<String> SEARCH_KEYS = Set.of("algorithm", "population", "generations",
            "max_evaluations", "seed", "objectives", "m2n2");
    private static final Set<String> M2N2_KEYS = Set.of("alpha", "attraction", "split_point", "crossover", "mutation",
            "children");
    private static final Set<String> EVALUATION_KEYS = Set.of("merge_cache_mb", "cluster");
    private static final Set<String> TASK_KEYS = Set.of("path", "name", "weight", "metric");

    /** The search a config without {@code search:} runs: mergekit-evolve's CMA-ES, 100 evaluations. */
    public static final SearchSettings MERGEKIT_EVOLVE_SEARCH = new SearchSettings("cma-es", 0, 0, 100, 0, List.of());

    public SearchConfig {
        tasks = List.copyOf(tasks);
        java.util.Objects.requireNonNull(evaluation, "evaluation");
    }

    public static SearchConfig load(Path file) {
        return load(file, List.of());
    }

    /**
     * As {@link #load(Path)}, where a task named by {@code name:} is also looked up, by its {@code task:} name,
     * among the lm-evaluation-harness task files under {@code taskSearchPath} (mergekit-evolve's
     * {@code --task-search-path}).
     */
    public static SearchConfig load(Path file, List<Path> taskSearchPath) {
        try {
            return parse(Files.readString(file), file, taskSearchPath);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the search config: " + firstLine(e), e);
        }
    }

    /**
     * Parses config text as if it were the file {@code file}: task paths resolve against its folder. A resumed run
     * parses its stored copy this way, against the folder the original came from.
     */
    public static SearchConfig parse(String text, Path file) {
        return parse(text, file, List.of());
    }

    /** As {@link #parse(String, Path)}, with a task search path (see {@link #load(Path, List)}). */
    public static SearchConfig parse(String text, Path file, List<Path> taskSearchPath) {
        JsonNode root;
        YamlAliases.refuse(text, file.toString());
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + firstLine(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": a search config is a YAML mapping");
        }
        checkKeys(file, "", root, TOP_KEYS);
        JsonNode genome = root.get("genome");
        JsonNode routing = root.get("layer_routing");
        if (genome == null && routing == null) {
            throw new IllegalArgumentException(file + ": needs 'genome' (parameter space) or 'layer_routing'");
        }
        return new SearchConfig(file, genome, routing, tasks(file, root.get("tasks"), taskSearchPath),
                search(file, root.get("search")), evaluation(file, root.get("evaluation")),
                EvolveTaskSettings.parse(file, root));
    }

    private static List<TaskRef> tasks(Path file, JsonNode node, List<Path> taskSearchPath) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException(file + ": 'tasks' must be a non-empty list");
        }
        Path folder = file.toAbsolutePath().getParent();
        List<TaskRef> refs = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            String key = "tasks[" + i + "]";
            if (!t.isObject()) {
                throw new IllegalArgumentException(file + ": " + key + " must be a mapping with 'path' or 'name'");
            }
            checkKeys(file, key + ".", t, TASK_KEYS);
            Path path;
            if (t.hasNonNull("path")) {
                path = folder.resolve(t.get("path").asText()).normalize();
                if (!Files.isRegularFile(path)) {
                    throw new IllegalArgumentException(file + ": " + key + ".path: task file " + path + " does not exist");
                }
            } else if (t.hasNonNull("name")) {
                String name = t.get("name").asText();
                path = HarnessTaskIndex.find(taskSearchPath, name).orElseGet(() -> byName(file, key, folder, name,
                        taskSearchPath));
            } else {
                throw new IllegalArgumentException(file + ": " + key + " needs 'path' or 'name'");
            }
            double weight = t.has("weight") ? number(file, key + ".weight", t.get("weight")) : 1.0;
            JsonNode metric = t.get("metric");
            if (metric != null && !metric.isNull() && !metric.isTextual()) {
                throw new IllegalArgumentException(file + ": " + key + ".metric: expected a metric name such as acc,none");
            }
            refs.add(new TaskRef(path, weight, metric == null || metric.isNull() ? null : metric.asText()));
        }
        return refs;
    }

    /** mergekit-evolve names tasks; we look for a task YAML in the config's folder with that {@code name}. */
    private static Path byName(Path file, String key, Path folder, String name, List<Path> taskSearchPath) {
        try (Stream<Path> files = Files.walk(folder, 3)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted().toList()) {
                if (p.equals(file.toAbsolutePath())) {
                    continue;
                }
                try {
                    JsonNode n = YAML.readTree(p.toFile());
                    if (n != null && n.isObject() && name.equals(n.path("name").asText(null)) && n.has("type")) {
                        return p;
                    }
                } catch (IOException ignored) {
                    // Not a task file: other YAML may sit in the same folder.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalArgumentException(file + ": " + key + ".name: no task named '" + name + "' in " + folder
                + (taskSearchPath.isEmpty() ? "" : " or under --task-search-path " + taskSearchPath));
    }

    private static SearchSettings search(Path file, JsonNode s) {
        if (s == null) {
            // A mergekit-evolve config has no search section: CMA-ES with its --max-fevals default of 100.
            return MERGEKIT_EVOLVE_SEARCH;
        }
        if (!s.isObject()) {
            throw new IllegalArgumentException(file + ": 'search' must be a mapping (algorithm, generations, ...)");
        }
        checkKeys(file, "search.", s, SEARCH_KEYS);
        String algorithm = s.path("algorithm").asText("cma-es");
        if (!SearchSettings.ALGORITHMS.contains(algorithm)) {
            throw new IllegalArgumentException(file + ": search.algorithm: unknown algorithm '" + algorithm
                    + "' (known: " + String.join(", ", SearchSettings.ALGORITHMS) + ")");
        }
        List<String> objectives = new ArrayList<>();
        s.path("objectives").forEach(o -> objectives.add(o.asText()));
        M2n2Settings m2n2 = m2n2(file, s.get("m2n2"));
        try {
            return new SearchSettings(algorithm, integer(file, "search.population", s.get("population")),
                    integer(file, "search.generations", s.get("generations")),
                    integer(file, "search.max_evaluations", s.get("max_evaluations")),
                    s.has("seed") ? s.get("seed").asLong() : 0, objectives, m2n2);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static M2n2Settings m2n2(Path file, JsonNode m) {
        M2n2Settings d = M2n2Settings.DEFAULT;
        if (m == null) {
            return d;
        }
        if (!m.isObject()) {
            throw new IllegalArgumentException(file + ": search.m2n2 must be a mapping (" + String.join(", ",
                    M2N2_KEYS.stream().sorted().toList()) + ")");
        }
        checkKeys(file, "search.m2n2.", m, M2N2_KEYS);
        try {
            return new M2n2Settings(
                m.has("alpha") ? number(file, "search.m2n2.alpha", m.get("alpha")) : d.alpha(),
                m.has("attraction") ? bool(file, "search.m2n2.attraction", m.get("attraction")) : d.attraction(),
                m.has("split_point") ? bool(file, "search.m2n2.split_point", m.get("split_point")) : d.splitPoint(),
                m.has("crossover") ? bool(file, "search.m2n2.crossover", m.get("crossover")) : d.crossover(),
                m.has("mutation") ? number(file, "search.m2n2.mutation", m.get("mutation")) : d.mutation(),
                m.has("children") ? integer(file, "search.m2n2.children", m.get("children")) : d.children());
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(file.toString())) {
                throw e;
            }
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static boolean bool(Path file, String key, JsonNode n) {
        if (!n.isBoolean()) {
            throw new IllegalArgumentException(file + ": " + key + " must be true or false");
        }
        return n.booleanValue();
    }

    private static EvaluationSettings evaluation(Path file, JsonNode e) {
        if (e == null) {
            return EvaluationSettings.DEFAULT;
        }
        if (!e.isObject()) {
            throw new IllegalArgumentException(file + ": 'evaluation' must be a mapping (merge_cache_mb, cluster)");
        }
        checkKeys(file, "evaluation.", e, EVALUATION_KEYS);
        ClusterSettings cluster = e.has("cluster") ? ClusterSettings.parse(file, e.get("cluster")) : ClusterSettings.NONE;
        JsonNode mb = e.get("merge_cache_mb");
        if (mb == null) {
            return new EvaluationSettings(EvaluationSettings.DEFAULT_MERGE_CACHE_MB, cluster);
        }
        if (!mb.canConvertToLong() || !mb.isIntegralNumber() || mb.asLong() < 0) {
            throw new IllegalArgumentException(file + ": evaluation.merge_cache_mb must be an integer >= 0 (MiB; 0 turns"
                    + " the merged-tensor cache off)");
        }
        return new EvaluationSettings(mb.asLong(), cluster);
    }

    private static int integer(Path file, String key, JsonNode n) {
        if (n == null) {
            return 0;
        }
        if (!n.canConvertToInt()) {
            throw new IllegalArgumentException(file + ": " + key + " must be an integer");
        }
        return n.asInt();
    }

    private static double number(Path file, String key, JsonNode n) {
        if (!n.isNumber()) {
            throw new IllegalArgumentException(file + ": " + key + " must be a number");
        }
        return n.asDouble();
    }

    private static void checkKeys(Path file, String prefix, JsonNode node, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new IllegalArgumentException(file + ": unknown key '" + prefix + k + "' (expected one of "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
