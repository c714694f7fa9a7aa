package dev.evomerge.eval.harness;

import dev.evomerge.eval.task.TaskException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads an lm-evaluation-harness task file into its top-level keys, each with the file and line it came from,
 * after following {@code include}: the included file's keys first, then this file's, each replacing the
 * included value whole (a shallow update, as lm-evaluation-harness's {@code dict.update}). A value tagged
 * {@code !function} needs Python and is refused at its line.
 *
 * {@snippet :
 * Map<String, HarnessYaml.Value> keys = HarnessYaml.read(Path.of("mgsm/direct/direct_de.yaml"));
 * keys.get("doc_to_text").line();   // the line in the file that set it (direct_yaml, when only included)
 * }
 */
final class HarnessYaml {

    /** A top-level value, plain Java (String, Long, Double, Boolean, null, List, Map), and where it was set. */
    record Value(Object value, Path file, int line) {
    }

    static Map<String, Value> read(Path file) {
        return read(file.toAbsolutePath().normalize(), new HashSet<>());
    }

    private static Map<String, Value> read(Path file, Set<Path> including) {
        if (!Files.isRegularFile(file)) {
            throw new TaskException(file, 0, "task file not found");
        }
        if (!including.add(file)) {
            throw new TaskException(file, 0, "include: the file includes itself");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new TaskException(file, 0, "not readable: " + e.getMessage());
        }
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (YAMLException e) {
            String m = String.valueOf(e.getMessage());
            int nl = m.indexOf('\n');
            throw new TaskException(file, 0, "not valid YAML: " + (nl < 0 ? m : m.substring(0, nl)));
        }
        if (!(root instanceof MappingNode map)) {
            throw new TaskException(file, 0, "expected a mapping of task keys");
        }
        Map<String, Value> own = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            int line = t.getKeyNode().getStartMark().getLine() + 1;
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw new TaskException(file, line, "a key must be a string");
            }
            String key = k.getValue();
            Object value = plain(file, key, t.getValueNode());
            if (own.put(key, new Value(value, file, line)) != null) {
                throw new TaskException(file, line, "duplicate key '" + key + "'");
            }
        }
        Map<String, Value> merged = new LinkedHashMap<>();
        Value include = own.remove("include");
        if (include != null) {
            if (!(include.value() instanceof String rel)) {
                throw new TaskException(file, include.line(), "include: expected a file name");
            }
            Path inc = file.getParent().resolve(rel).normalize();
            if (!Files.isRegularFile(inc)) {
                throw new TaskException(file, include.line(), "include: file not found: " + inc);
            }
            merged.putAll(read(inc, including));
        }
        merged.putAll(own);
        including.remove(file);
        return merged;
    }

    private static Object plain(Path file, String key, Node node) {
        Tag tag = node.getTag();
        int line = node.getStartMark().getLine() + 1;
        if (!tag.startsWith(Tag.PREFIX)) {
            String what = node instanceof ScalarNode s ? tag.getValue() + " " + s.getValue() : tag.getValue();
            throw new TaskException(file, line, key + ": '" + what + "' runs Python code, which evomerge does not run");
        }
        return switch (node) {
            case ScalarNode s -> scalar(s);
            case SequenceNode seq -> {
                List<Object> out = new ArrayList<>();
                for (Node n : seq.getValue()) {
                    out.add(plain(file, key, n));
                }
                yield out;
            }
            case MappingNode m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (NodeTuple t : m.getValue()) {
                    Object k = plain(file, key, t.getKeyNode());
                    out.put(String.valueOf(k), plain(file, key, t.getValueNode()));
                }
                yield out;
            }
            default -> throw new TaskException(file, line, key + ": unsupported YAML node");
        };
    }

    private static Object scalar(ScalarNode s) {
        Tag tag = s.getTag();
        String v = s.getValue();
        if (tag.equals(Tag.NULL)) {
            return null;
        }
        if (tag.equals(Tag.BOOL)) {
            return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("on");
        }
        if (tag.equals(Tag.INT)) {
            try {
                return Long.parseLong(v.replace("_", ""));
            } catch (NumberFormatException e) {
                return v;
            }
        }
        if (tag.equals(Tag.FLOAT)) {
            try {
                return Double.parseDouble(v.replace("_", ""));
            } catch (NumberFormatException e) {
                return v;
            }
        }
        return v;
    }

    private HarnessYaml() {
    }
}
