package dev.evomerge.recipe;

import java.math.BigInteger;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML tree that remembers the line of every node and key, so that errors can name them. Jackson's tree
 * model drops locations and its streaming parser hands an alias ({@code *w}) over as the string "w", hence
 * this small tree converted from SnakeYAML's composed node graph.
 */
sealed interface YamlNode {

    /** 1-based line where the node starts. */
    int line();

    /** How the node is described in error messages. */
    String kind();

    record Entry(String key, int keyLine, YamlNode value) {
    }

    record MapNode(LinkedHashMap<String, Entry> entries, int line) implements YamlNode {
        @Override
        public String kind() {
            return "a map";
        }
    }

    record ListNode(List<YamlNode> items, int line) implements YamlNode {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** A scalar; {@code value} is a Long/BigInteger, Double, Boolean, String or {@code null}. */
    record ScalarNode(Object value, int line) implements YamlNode {
        @Override
        public String kind() {
            return switch (value) {
                case null -> "empty";
                case Boolean b -> "a boolean";
                case Number n -> "a number";
                default -> "a string";
            };
        }

        boolean isNumber() {
            return value instanceof Number || (value instanceof String s && looksNumeric(s));
        }

        double number() {
            return value instanceof Number n ? n.doubleValue() : Double.parseDouble(((String) value).strip());
        }

        /** Numbers YAML 1.1 leaves as strings (such as {@code 1e-4}) but mergekit's loader accepts. */
        private static boolean looksNumeric(String s) {
            return s.strip().matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
        }
    }

    /**
     * The tree of a composed YAML document (SnakeYAML's node graph: aliases already point at their anchor's
     * node). Merge keys ({@code <<: *defaults}) are applied as PyYAML's safe_load applies them, explicit keys
     * winning; a key written twice in one map goes to {@code onDuplicate}.
     */
    static YamlNode of(Node node, DuplicateKeyHandler onDuplicate) {
        return new Converter(onDuplicate).convert(node);
    }

    /** The 1-based line where a SnakeYAML node starts. */
    static int lineOf(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    /** A YAML error with the line it concerns. */
    final class Invalid extends RuntimeException {
        private final int line;

        Invalid(int line, String message) {
            super(message);
            this.line = line;
        }

        int line() {
            return line;
        }
    }

    /** Walks one node graph; remembers the mappings and sequences it is inside, as an alias may point back up. */
    final class Converter {
        private final DuplicateKeyHandler onDuplicate;
        private final Set<Node> open = Collections.newSetFromMap(new IdentityHashMap<>());

        private Converter(DuplicateKeyHandler onDuplicate) {
            this.onDuplicate = onDuplicate;
        }

        YamlNode convert(Node node) {
            if (!(node instanceof org.yaml.snakeyaml.nodes.ScalarNode) && !open.add(node)) {
                throw new Invalid(lineOf(node), "an alias refers to a node that contains it");
            }
            try {
                return switch (node) {
                    case org.yaml.snakeyaml.nodes.ScalarNode scalar -> new ScalarNode(scalar(scalar), lineOf(scalar));
                    case SequenceNode seq -> new ListNode(seq.getValue().stream().map(this::convert).toList(),
                            lineOf(seq));
                    case MappingNode map -> map(map);
                    default -> throw new Invalid(lineOf(node), "unexpected YAML node " + node.getNodeId());
                };
            } finally {
                open.remove(node);
            }
        }

        private MapNode map(MappingNode node) {
            LinkedHashMap<String, Entry> merged = new LinkedHashMap<>();
            LinkedHashMap<String, Entry> explicit = new LinkedHashMap<>();
            for (NodeTuple tuple : node.getValue()) {
                Node keyNode = tuple.getKeyNode();
                if (keyNode.getTag().equals(Tag.MERGE)) {
                    merge(tuple.getValueNode(), merged);
                    continue;
                }
                if (!(keyNode instanceof org.yaml.snakeyaml.nodes.ScalarNode key)) {
                    throw new Invalid(lineOf(keyNode), "a key must be a plain value, not " + nodeKind(keyNode));
                }
                String name = key.getValue();
                int line = lineOf(key);
                YamlNode value = convert(tuple.getValueNode());
                if (explicit.containsKey(name)) {
                    onDuplicate.duplicate(name, line);
                }
                explicit.put(name, new Entry(name, line, value));
            }
            // PyYAML puts the merged pairs first and lets the explicit ones override them.
            LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(merged);
            entries.putAll(explicit);
            return new MapNode(entries, lineOf(node));
        }

        /** {@code <<}'s value: one mapping, or a list of them where earlier ones win. */
        private void merge(Node value, Map<String, Entry> into) {
            List<Node> sources = value instanceof SequenceNode seq ? seq.getValue() : List.of(value);
            for (Node source : sources) {
                if (!(convert(source) instanceof MapNode m)) {
                    throw new Invalid(lineOf(source), "a merge key (<<) takes a map or a list of maps, got "
                            + nodeKind(source));
                }
                m.entries().forEach(into::putIfAbsent);
            }
        }

        private static String nodeKind(Node node) {
            return switch (node) {
                case MappingNode m -> "a map";
                case SequenceNode s -> "a list";
                default -> "a scalar";
            };
        }

        /**
         * A scalar's value as YAML 1.1's core types (the resolution PyYAML's safe_load, hence mergekit, applies):
         * integers as Long (or BigInteger), floats as Double (.nan and .inf included, for the caller to refuse),
         * booleans, null, and everything else, quoted or not, as the string written.
         */
        private static Object scalar(org.yaml.snakeyaml.nodes.ScalarNode node) {
            String text = node.getValue();
            Tag tag = node.getTag();
            if (tag.equals(Tag.NULL)) {
                return null;
            }
            if (tag.equals(Tag.BOOL)) {
                return switch (text.toLowerCase(Locale.ROOT)) {
                    case "true", "yes", "on" -> Boolean.TRUE;
                    default -> Boolean.FALSE;
                };
            }
            if (tag.equals(Tag.INT)) {
                return integer(text.replace("_", ""), lineOf(node));
            }
            if (tag.equals(Tag.FLOAT)) {
                String t = text.replace("_", "").toLowerCase(Locale.ROOT);
                return switch (t) {
                    case ".nan" -> Double.NaN;
                    case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
                    case "-.inf" -> Double.NEGATIVE_INFINITY;
                    default -> parseDouble(t, lineOf(node));
                };
            }
            return text;
        }

        private static Number integer(String text, int line) {
            boolean negative = text.startsWith("-");
            String digits = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
            int radix = 10;
            if (digits.startsWith("0x")) {
                radix = 16;
                digits = digits.substring(2);
            } else if (digits.startsWith("0b")) {
                radix = 2;
                digits = digits.substring(2);
            } else if (digits.length() > 1 && digits.startsWith("0") && !digits.contains(":")) {
                radix = 8;   // YAML 1.1: a leading 0 is octal
            }
            try {
                BigInteger value = new BigInteger(digits, radix);
                value = negative ? value.negate() : value;
                return value.bitLength() < 64 ? (Number) value.longValue() : value;
            } catch (NumberFormatException e) {
                throw new Invalid(line, "unsupported integer form '" + text + "'");
            }
        }

        private static double parseDouble(String text, int line) {
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new Invalid(line, "unsupported number form '" + text + "'");
            }
        }
    }

    @FunctionalInterface
    interface DuplicateKeyHandler {
        void duplicate(String key, int line);
    }
}
