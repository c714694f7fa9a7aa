package dev.evomerge.eval.task;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.evomerge.recipe.YamlAliases;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads task YAML files and their JSONL rows, and assigns unlabeled rows to a split by hash. */
final class TaskFiles {

    private static final Set<String> KEYS =
            Set.of("name", "type", "data", "metric", "max_new_tokens", "stop", "prefix", "test_fraction");
    private static final int DEFAULT_MAX_NEW_TOKENS = 64;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A YAML value and the line its key is on. */
    private record Entry(JsonNode value, int line) {
    }

    static Task load(Path yaml) {
        Map<String, Entry> keys = readKeys(yaml);
        String name = text(yaml, keys, "name", null);
        TaskType type = switch (text(yaml, keys, "type", null)) {
            case "generate" -> TaskType.GENERATE;
            case "choice" -> TaskType.CHOICE;
            case "loglik" -> TaskType.LOGLIK;
            default -> throw new TaskException(yaml, keys.get("type").line(),
                    "type: expected generate, choice or loglik, got '" + keys.get("type").value().asText() + "'");
        };
        Metric metric = Metric.defaultFor(type);
        if (keys.containsKey("metric")) {
            Entry e = keys.get("metric");
            try {
                metric = Metric.parse(e.value().asText());
            } catch (IllegalArgumentException ex) {
                throw new TaskException(yaml, e.line(), "metric: " + ex.getMessage());
            }
            if (metric.type() != type) {
                throw new TaskException(yaml, e.line(), "metric " + metric.label() + " does not score "
                        + type.label() + " tasks");
            }
        }
        int maxNew = DEFAULT_MAX_NEW_TOKENS;
        if (keys.containsKey("max_new_tokens")) {
            Entry e = keys.get("max_new_tokens");
            if (!e.value().canConvertToInt() || !e.value().isIntegralNumber() || e.value().intValue() < 1) {
                throw new TaskException(yaml, e.line(), "max_new_tokens: expected an integer >= 1, got " + e.value());
            }
            maxNew = e.value().intValue();
        }
        List<String> stop = new ArrayList<>();
        if (keys.containsKey("stop")) {
            Entry e = keys.get("stop");
            JsonNode v = e.value();
            if (v.isTextual()) {
                stop.add(v.textValue());
            } else if (v.isArray()) {
                for (JsonNode s : v) {
                    if (!s.isTextual() || s.textValue().isEmpty()) {
                        throw new TaskException(yaml, e.line(), "stop: expected non-empty strings, got " + s);
                    }
                    stop.add(s.textValue());
                }
            } else {
                throw new TaskException(yaml, e.line(), "stop: expected a string or a list of strings");
            }
        }
        String prefix = keys.containsKey("prefix") ? text(yaml, keys, "prefix", null) : "";
        double testFraction = Double.NaN;
        if (keys.containsKey("test_fraction")) {
            Entry e = keys.get("test_fraction");
            double f = e.value().asDouble(Double.NaN);
            if (!e.value().isNumber() || !(f >= 0 && f <= 1)) {
                throw new TaskException(yaml, e.line(), "test_fraction: expected a number in [0, 1], got " + e.value());
            }
            testFraction = f;
        }
        Entry dataKey = keys.get("data");
        Path data = yaml.toAbsolutePath().getParent().resolve(text(yaml, keys, "data", null));
        if (!Files.isRegularFile(data)) {
            throw new TaskException(yaml, dataKey.line(), "data file not found: " + data);
        }
        List<TaskRow> rows = readRows(data, type, testFraction);
        if (rows.isEmpty()) {
            throw new TaskException(data, 0, "no rows");
        }
        return new Task(name, type, yaml, data, metric, maxNew, stop, prefix, testFraction, rows, null);
    }

    /**
     * Whether {@code yaml} is an lm-evaluation-harness task file: a top-level {@code task} or {@code include}
     * key, which evomerge's own format does not have. Unreadable files are left to the own-format reader.
     */
    static boolean isHarnessFile(Path yaml) {
        try {
            org.yaml.snakeyaml.nodes.Node root = new org.yaml.snakeyaml.Yaml().compose(
                    new java.io.StringReader(Files.readString(yaml)));
            if (root instanceof org.yaml.snakeyaml.nodes.MappingNode m) {
                for (org.yaml.snakeyaml.nodes.NodeTuple t : m.getValue()) {
                    if (t.getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode k
                            && (k.getValue().equals("task") || k.getValue().equals("include"))) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    // Streams the top-level mapping so each key keeps its line for error messages.
    private static Map<String, Entry> readKeys(Path yaml) {
        if (!Files.isRegularFile(yaml)) {
            throw new TaskException(yaml, 0, "task file not found");
        }
        Map<String, Entry> keys = new LinkedHashMap<>();
        String text;
        try {
            text = Files.readString(yaml);
        } catch (IOException e) {
            throw new TaskException(yaml, 0, "not readable: " + e);
        }
        YamlAliases.first(text).ifPresent(a -> {
            throw new TaskException(yaml, a.line(), a.problem());
        });
        try (JsonParser p = YAML.getFactory().createParser(text)) {
            p.setCodec(YAML);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new TaskException(yaml, lineOf(p), "expected a mapping of task keys");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int line = lineOf(p);
                if (!KEYS.contains(key)) {
                    throw new TaskException(yaml, line, "unknown key '" + key + "' (known: " + String.join(", ",
                            KEYS.stream().sorted().toList()) + ")");
                }
                p.nextToken();
                JsonNode value = p.readValueAsTree();
                if (keys.put(key, new Entry(value == null ? JSON.nullNode() : value, line)) != null) {
                    throw new TaskException(yaml, line, "duplicate key '" + key + "'");
                }
            }
        } catch (IOException e) {
            throw new TaskException(yaml, 0, "not readable as YAML: " + firstLine(e.getMessage()));
        }
        for (String required : List.of("name", "type", "data")) {
            if (!keys.containsKey(required)) {
                throw new TaskException(yaml, 0, "missing key '" + required + "'");
            }
        }
        return keys;
    }

    private static int lineOf(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    private static String text(Path yaml, Map<String, Entry> keys, String key, String fallback) {
        Entry e = keys.get(key);
        if (e == null) {
            return fallback;
        }
        if (!e.value().isTextual()) {
            throw new TaskException(yaml, e.line(), key + ": expected a string, got " + e.value());
        }
        return e.value().textValue();
    }

    private static List<TaskRow> readRows(Path data, TaskType type, double testFraction) {
        List<String> lines;
        try {
            lines = Files.readAllLines(data, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TaskException(data, 0, "cannot read: " + firstLine(e.getMessage()));
        }
        List<TaskRow> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            int n = i + 1;
            JsonNode row;
            try {
                row = JSON.readTree(line);
            } catch (IOException e) {
                throw new TaskException(data, n, "not valid JSON: " + firstLine(e.getMessage()));
            }
            if (row == null || !row.isObject()) {
                throw new TaskException(data, n, "expected a JSON object");
            }
            try {
                rows.add(row(row, n, type, testFraction));
            } catch (IllegalArgumentException e) {
                throw new TaskException(data, n, e.getMessage());
            }
        }
        return rows;
    }

    private static TaskRow row(JsonNode row, int line, TaskType type, double testFraction) {
        return switch (type) {
            case GENERATE -> {
                String prompt = string(row, "prompt");
                String answer = answerText(row);
                yield new TaskRow.Generate(line, prompt, answer,
                        split(row, testFraction, canonical("generate", prompt, answer)));
            }
            case CHOICE -> {
                String prompt = string(row, "prompt");
                JsonNode cs = field(row, "choices");
                if (!cs.isArray()) {
                    throw new IllegalArgumentException("choices: expected a list of strings");
                }
                List<String> choices = new ArrayList<>();
                for (JsonNode c : cs) {
                    if (!c.isTextual()) {
                        throw new IllegalArgumentException("choices: expected strings, got " + c);
                    }
                    choices.add(c.textValue());
                }
                JsonNode a = field(row, "answer");
                if (!a.isIntegralNumber()) {
                    throw new IllegalArgumentException("answer: expected the index of the right choice, got " + a);
                }
                List<String> parts = new ArrayList<>(List.of("choice", prompt, Integer.toString(a.intValue())));
                parts.addAll(choices);
                yield new TaskRow.Choice(line, prompt, choices, a.intValue(),
                        split(row, testFraction, canonical(parts.toArray(String[]::new))));
            }
            case LOGLIK -> {
                String text = string(row, "text");
                yield new TaskRow.Loglik(line, text, split(row, testFraction, canonical("loglik", text)));
            }
        };
    }

    // GSM8K-style data keeps numeric answers as numbers; accept them as their text.
    private static String answerText(JsonNode row) {
        JsonNode a = field(row, "answer");
        if (a.isTextual()) {
            return a.textValue();
        }
        if (a.isNumber()) {
            return a.asText();
        }
        throw new IllegalArgumentException("answer: expected a string or a number, got " + a);
    }

    private static JsonNode field(JsonNode row, String name) {
        JsonNode v = row.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + name + "'");
        }
        return v;
    }

    private static String string(JsonNode row, String name) {
        JsonNode v = field(row, name);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(name + ": expected a string, got " + v);
        }
        return v.textValue();
    }

    private static TaskSplit split(JsonNode row, double testFraction, String canonical) {
        JsonNode s = row.get("split");
        if (s != null && !s.isNull()) {
            return switch (s.asText()) {
                case "search" -> TaskSplit.SEARCH;
                case "test" -> TaskSplit.TEST;
                default -> throw new IllegalArgumentException("split: expected search or test, got " + s);
            };
        }
        if (Double.isNaN(testFraction)) {
            throw new IllegalArgumentException("row has no \"split\" and the task sets no test_fraction");
        }
        return hashSplit(canonical, testFraction);
    }

    /**
     * TEST when the first 64 bits of SHA-256({@code canonical}), read as a fraction of 2^64, fall below
     * {@code testFraction}: a row keeps its split whatever the order or the other rows of the file.
     */
    static TaskSplit hashSplit(String canonical, double testFraction) {
        byte[] h = sha256(canonical);
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (h[i] & 0xff);
        }
        // Top 53 bits as a double in [0, 1): exact, and unsigned.
        double u = (bits >>> 11) * 0x1.0p-53;
        return u < testFraction ? TaskSplit.TEST : TaskSplit.SEARCH;
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text));
    }

    /** The row's content as a JSON array of strings: independent of key order, spacing and extra fields. */
    static String canonical(String... parts) {
        ArrayNode a = JSON.createArrayNode();
        for (String p : parts) {
            a.add(p);
        }
        return a.toString();
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "";
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private TaskFiles() {
    }
}
