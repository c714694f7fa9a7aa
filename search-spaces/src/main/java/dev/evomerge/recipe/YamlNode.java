package dev.evomerge.recipe;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A YAML tree that remembers the line of every node and key, so that errors can name them. Jackson's own
 * tree model drops locations, hence this small one built from the streaming parser.
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

    /** Reads one node starting at the parser's current token. */
    static YamlNode read(JsonParser p, DuplicateKeyHandler onDuplicate) throws IOException {
        JsonToken token = p.currentToken();
        int line = p.currentTokenLocation().getLineNr();
        return switch (token) {
            case START_OBJECT -> {
                LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int keyLine = p.currentTokenLocation().getLineNr();
                    p.nextToken();
                    YamlNode value = read(p, onDuplicate);
                    if (entries.containsKey(key)) {
                        onDuplicate.duplicate(key, keyLine);
                    }
                    entries.put(key, new Entry(key, keyLine, value));
                }
                yield new MapNode(entries, line);
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(p, onDuplicate));
                }
                yield new ListNode(items, line);
            }
            case VALUE_NUMBER_INT -> new ScalarNode(p.getNumberValue(), line);
            case VALUE_NUMBER_FLOAT -> new ScalarNode(p.getDoubleValue(), line);
            case VALUE_TRUE -> new ScalarNode(Boolean.TRUE, line);
            case VALUE_FALSE -> new ScalarNode(Boolean.FALSE, line);
            case VALUE_NULL -> new ScalarNode(null, line);
            case VALUE_STRING -> new ScalarNode(p.getText(), line);
            default -> throw new IOException("unexpected YAML token " + token);
        };
    }

    @FunctionalInterface
    interface DuplicateKeyHandler {
        void duplicate(String key, int line);
    }
}
