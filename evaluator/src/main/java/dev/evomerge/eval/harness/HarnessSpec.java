package dev.evomerge.eval.harness;

import dev.evomerge.eval.task.TaskException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An lm-evaluation-harness task file, read with the meaning lm-evaluation-harness gives its keys: where the
 * data is, how a document becomes a prompt, and how the answer is scored. Only keys evomerge can honour are
 * taken; the others are refused by name at their line.
 *
 * {@snippet :
 * HarnessSpec spec = HarnessSpec.load(Path.of("tasks/gsm8k.yaml"));
 * spec.outputType();   // GENERATE_UNTIL
 * spec.metrics();      // [exact_match (ignore_case, ...)]
 * }
 *
 * @param keys every key as read (after {@code include}), with the file and line that set it
 */
public record HarnessSpec(Path file, String task, Map<String, HarnessYaml.Value> keys, String datasetPath,
                          String datasetName, Map<String, List<String>> dataFiles, String trainingSplit,
                          String validationSplit, String testSplit, String fewshotSplit, int numFewshot,
                          boolean firstN, Formatting formatting, Formatting fewshotFormatting,
                          OutputType outputType, List<String> until, int maxGenToks,
                          List<HarnessMetric> metrics, List<HarnessFilter.Pipeline> filters) {

    /** lm-evaluation-harness's four output types. */
    public enum OutputType {
        GENERATE_UNTIL, MULTIPLE_CHOICE, LOGLIKELIHOOD, LOGLIKELIHOOD_ROLLING;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * How a document is written out: {@code doc_to_text}, {@code doc_to_target} and {@code doc_to_choice}
     * (a column name, an integer, a list or a Jinja template) and the delimiters.
     */
    public record Formatting(Object docToText, Object docToTarget, Object docToChoice, String description,
                             String targetDelimiter, String fewshotDelimiter) {
    }

    static final int DEFAULT_MAX_GEN_TOKS = 256;

    /** Keys evomerge reads. */
    private static final Set<String> SUPPORTED = Set.of("task", "dataset_path", "dataset_name", "dataset_kwargs",
            "training_split", "validation_split", "test_split", "fewshot_split", "num_fewshot", "fewshot_config",
            "description", "target_delimiter", "fewshot_delimiter", "doc_to_text", "doc_to_target", "doc_to_choice",
            "output_type", "generation_kwargs", "metric_list", "filter_list", "repeats", "metadata");
    /** Keys that change nothing when one task is run. */
    private static final Set<String> IGNORED = Set.of("tag", "group", "task_alias", "should_decontaminate",
            "doc_to_decontamination_query", "unsafe_code", "group_alias");
    /** lm-evaluation-harness keys whose meaning evomerge cannot give (most need Python). */
    private static final Set<String> REFUSED = Set.of("class", "custom_dataset", "process_docs", "process_results",
            "use_prompt", "doc_to_image", "doc_to_audio", "gen_prefix");

    public HarnessSpec {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(task, "task");
        keys = Map.copyOf(keys);
        dataFiles = Map.copyOf(dataFiles);
        until = List.copyOf(until);
        metrics = List.copyOf(metrics);
        filters = List.copyOf(filters);
    }

    /** Whether {@code file}'s top level has a {@code task:} key and none of evomerge's own task format. */
    public static boolean isHarnessFile(Map<String, ?> topLevel) {
        return topLevel.containsKey("task") && !topLevel.containsKey("type");
    }

    /** Reads and checks a task file (following {@code include}); any problem is a one-line {@link TaskException}. */
    public static HarnessSpec load(Path file) {
        Map<String, HarnessYaml.Value> keys = HarnessYaml.read(file);
        Reader r = new Reader(file, keys);
        for (Map.Entry<String, HarnessYaml.Value> e : keys.entrySet()) {
            String k = e.getKey();
            if (REFUSED.contains(k)) {
                throw r.error(k, "'" + k + "' is not supported by evomerge (it needs lm-evaluation-harness's Python side)");
            }
            if (!SUPPORTED.contains(k) && !IGNORED.contains(k)) {
                throw r.error(k, "unknown key '" + k + "' (known: " + String.join(", ", new TreeSet<>(SUPPORTED)) + ")");
            }
        }
        Object taskName = r.value("task");
        if (taskName instanceof List) {
            throw r.error("task", "a group of tasks; give its task files one by one");
        }
        if (!(taskName instanceof String name) || name.isBlank()) {
            throw r.error("task", "expected the task's name");
        }
        OutputType type = switch (r.string("output_type", "generate_until")) {
            case "generate_until" -> OutputType.GENERATE_UNTIL;
            case "multiple_choice" -> OutputType.MULTIPLE_CHOICE;
            case "loglikelihood" -> OutputType.LOGLIKELIHOOD;
            case "loglikelihood_rolling" -> OutputType.LOGLIKELIHOOD_ROLLING;
            default -> throw r.error("output_type", "unsupported output type '" + r.value("output_type")
                    + "' (supported: generate_until, multiple_choice, loglikelihood, loglikelihood_rolling)");
        };
        Object repeats = r.value("repeats");
        if (repeats != null && !Long.valueOf(1).equals(repeats)) {
            throw r.error("repeats", "only repeats: 1 is supported (generation is greedy), got " + repeats);
        }
        String datasetPath = r.string("dataset_path", null);
        if (datasetPath == null) {
            throw r.error("task", "missing key 'dataset_path'");
        }
        Map<String, List<String>> dataFiles = dataFiles(r);
        Formatting formatting = new Formatting(r.template("doc_to_text"), r.template("doc_to_target"),
                r.value("doc_to_choice"), r.string("description", ""), r.string("target_delimiter", " "),
                r.string("fewshot_delimiter", "\n\n"));
        if (formatting.docToText() == null || formatting.docToTarget() == null) {
            throw r.error("task", "missing key '" + (formatting.docToText() == null ? "doc_to_text" : "doc_to_target") + "'");
        }
        if (type == OutputType.MULTIPLE_CHOICE && formatting.docToChoice() == null) {
            throw r.error("output_type", "multiple_choice needs 'doc_to_choice'");
        }
        String fewshotSplit = r.string("fewshot_split", null);
        boolean firstN = false;
        Formatting fewshotFormatting = formatting;
        Object fc = r.value("fewshot_config");
        if (fc != null) {
            if (!(fc instanceof Map<?, ?> m)) {
                throw r.error("fewshot_config", "expected a mapping");
            }
            for (Object k : m.keySet()) {
                if (!Set.of("sampler", "split", "doc_to_text", "doc_to_target", "doc_to_choice", "target_delimiter",
                        "fewshot_delimiter").contains(k)) {
                    throw r.error("fewshot_config", "fewshot_config." + k + " is not supported");
                }
            }
            Object sampler = m.get("sampler");
            if (sampler != null && !"default".equals(sampler) && !"first_n".equals(sampler)) {
                throw r.error("fewshot_config", "sampler '" + sampler + "' is not supported (supported: default, first_n)");
            }
            firstN = "first_n".equals(sampler);
            if (m.get("split") instanceof String s) {
                fewshotSplit = s;
            }
            fewshotFormatting = new Formatting(or(m.get("doc_to_text"), formatting.docToText()),
                    or(m.get("doc_to_target"), formatting.docToTarget()), or(m.get("doc_to_choice"), formatting.docToChoice()),
                    formatting.description(), (String) or(m.get("target_delimiter"), formatting.targetDelimiter()),
                    (String) or(m.get("fewshot_delimiter"), formatting.fewshotDelimiter()));
        }
        int numFewshot = r.integer("num_fewshot", 0);
        List<String> until = new ArrayList<>();
        int maxGen = DEFAULT_MAX_GEN_TOKS;
        Object gk = r.value("generation_kwargs");
        if (gk != null) {
            if (!(gk instanceof Map<?, ?> m)) {
                throw r.error("generation_kwargs", "expected a mapping");
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = String.valueOf(e.getKey());
                Object v = e.getValue();
                switch (k) {
                    case "until" -> {
                        if (v instanceof String s) {
                            until.add(s);
                        } else if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof String)) {
                            l.forEach(x -> until.add((String) x));
                        } else {
                            throw r.error("generation_kwargs", "until: expected a string or a list of strings");
                        }
                    }
                    case "max_gen_toks" -> {
                        if (!(v instanceof Long n) || n < 1) {
                            throw r.error("generation_kwargs", "max_gen_toks: expected an integer >= 1, got " + v);
                        }
                        maxGen = n.intValue();
                    }
                    case "do_sample" -> {
                        if (!Boolean.FALSE.equals(v)) {
                            throw r.error("generation_kwargs", "do_sample: evomerge generates greedily (do_sample: false)");
                        }
                    }
                    case "temperature" -> {
                        if (!(v instanceof Number n) || n.doubleValue() != 0) {
                            throw r.error("generation_kwargs", "temperature: evomerge generates greedily (temperature: 0)");
                        }
                    }
                    default -> throw r.error("generation_kwargs", "generation_kwargs." + k
                            + " is not supported (supported: until, max_gen_toks, do_sample: false, temperature: 0)");
                }
            }
            if (!m.containsKey("until")) {
                until.add(formatting.fewshotDelimiter());
            }
        } else if (type == OutputType.GENERATE_UNTIL) {
            until.add(formatting.fewshotDelimiter());
        }
        List<HarnessMetric> metrics = HarnessMetric.parse(r, type);
        List<HarnessFilter.Pipeline> filters = HarnessFilter.parse(r);
        return new HarnessSpec(file, name, keys, datasetPath, r.string("dataset_name", null), dataFiles,
                r.string("training_split", null), r.string("validation_split", null), r.string("test_split", null),
                fewshotSplit, numFewshot, firstN, formatting, fewshotFormatting, type, until, maxGen, metrics, filters);
    }

    private static Object or(Object a, Object b) {
        return a != null ? a : b;
    }

    private static Map<String, List<String>> dataFiles(Reader r) {
        Object kw = r.value("dataset_kwargs");
        if (kw == null) {
            return Map.of();
        }
        if (!(kw instanceof Map<?, ?> m)) {
            throw r.error("dataset_kwargs", "expected a mapping");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            switch (String.valueOf(e.getKey())) {
                case "data_files" -> {
                    Object df = e.getValue();
                    // datasets' rule: files not keyed by split form the train split.
                    if (df instanceof Map<?, ?> bySplit) {
                        for (Map.Entry<?, ?> s : bySplit.entrySet()) {
                            out.put(String.valueOf(s.getKey()), files(r, s.getValue()));
                        }
                    } else {
                        out.put("train", files(r, df));
                    }
                }
                case "trust_remote_code" -> {
                    // Nothing is downloaded, so nothing remote runs either.
                }
                default -> throw r.error("dataset_kwargs", "dataset_kwargs." + e.getKey()
                        + " is not supported (supported: data_files)");
            }
        }
        return out;
    }

    private static List<String> files(Reader r, Object v) {
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof String)) {
            return l.stream().map(String.class::cast).toList();
        }
        throw r.error("dataset_kwargs", "data_files: expected a file name, a list of them, or a mapping of split to files");
    }

    /** Typed access to the keys, with errors at the key's file and line. */
    static final class Reader {
        private final Path file;
        private final Map<String, HarnessYaml.Value> keys;

        Reader(Path file, Map<String, HarnessYaml.Value> keys) {
            this.file = file;
            this.keys = keys;
        }

        TaskException error(String key, String problem) {
            HarnessYaml.Value v = keys.get(key);
            return v == null ? new TaskException(file, 0, problem) : new TaskException(v.file(), v.line(), problem);
        }

        Object value(String key) {
            HarnessYaml.Value v = keys.get(key);
            return v == null ? null : v.value();
        }

        String string(String key, String fallback) {
            Object v = value(key);
            if (v == null) {
                return fallback;
            }
            if (!(v instanceof String s)) {
                throw error(key, key + ": expected a string, got " + PyValues.repr(v));
            }
            return s;
        }

        int integer(String key, int fallback) {
            Object v = value(key);
            if (v == null) {
                return fallback;
            }
            if (!(v instanceof Long n) || n < 0) {
                throw error(key, key + ": expected an integer >= 0, got " + PyValues.repr(v));
            }
            return n.intValue();
        }

        /** A doc_to_* value: a column name or template (string), or an integer. */
        Object template(String key) {
            Object v = value(key);
            if (v == null || v instanceof String || v instanceof Long) {
                return v;
            }
            if (v instanceof List<?> && key.equals("doc_to_target")) {
                return v;
            }
            throw error(key, key + ": expected a column name, a Jinja template or an integer, got " + PyValues.repr(v));
        }
    }
}
