package dev.evomerge.eval.harness;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values as Python prints and reads them: {@code str()} and {@code repr()} of documents' values (a Jinja
 * template renders a list as Python's {@code str(list)}), and {@code ast.literal_eval} of such text, which
 * lm-evaluation-harness applies to a rendered {@code doc_to_choice}.
 *
 * {@snippet :
 * PyValues.str(List.of("a b", "c'd"));           // ['a b', "c'd"]
 * PyValues.literal("['a b', \"c'd\"]");           // [a b, c'd] as a Java list of strings
 * }
 */
public final class PyValues {

    /** Python's {@code str(value)}. */
    public static String str(Object value) {
        return value instanceof String s ? s : repr(value);
    }

    /** Python's {@code repr(value)}. */
    public static String repr(Object value) {
        return switch (value) {
            case null -> "None";
            case HarnessTemplates.PyNone n -> "None";
            case String s -> reprString(s);
            case Boolean b -> b ? "True" : "False";
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case Short s -> s.toString();
            case BigInteger b -> b.toString();
            case Double d -> reprFloat(d);
            case Float f -> reprFloat(f.doubleValue());
            case BigDecimal b -> reprFloat(b.doubleValue());
            case Map<?, ?> m -> {
                StringBuilder sb = new StringBuilder("{");
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (sb.length() > 1) {
                        sb.append(", ");
                    }
                    sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                }
                yield sb.append('}').toString();
            }
            case Collection<?> c -> {
                StringBuilder sb = new StringBuilder("[");
                for (Object o : c) {
                    if (sb.length() > 1) {
                        sb.append(", ");
                    }
                    sb.append(repr(o));
                }
                yield sb.append(']').toString();
            }
            case Object[] a -> repr(List.of(a));
            default -> value.toString();
        };
    }

    private static String reprString(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(quote);
        s.codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c == quote) {
                        sb.append('\\').append((char) c);
                    } else if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", c));
                    } else {
                        sb.appendCodePoint(c);
                    }
                }
            }
        });
        return sb.append(quote).toString();
    }

    // Python prints the shortest digits that read back (as Java 19+ does), in fixed notation for
    // exponents -4..15 and as d.ddde+XX otherwise.
    private static String reprFloat(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = b.precision() - b.scale() - 1;
        if (exponent >= -4 && exponent < 16) {
            String plain = b.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = b.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (d < 0 ? "-" : "") + mantissa + (exponent < 0 ? "e-" : "e+") + String.format("%02d", Math.abs(exponent));
    }

    /**
     * {@code ast.literal_eval} of lists, tuples, dicts, strings, numbers, {@code True}, {@code False} and
     * {@code None}; anything else is an {@link IllegalArgumentException} naming the position.
     */
    public static Object literal(String text) {
        LiteralParser p = new LiteralParser(text);
        Object v = p.value();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text");
        }
        return v;
    }

    private static final class LiteralParser {
        private final String s;
        private int pos;

        LiteralParser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("not a Python literal (" + what + " at character " + pos + "): " + s);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        Object value() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("end of text");
            }
            char c = s.charAt(pos);
            return switch (c) {
                case '[' -> sequence(']');
                case '(' -> sequence(')');
                case '{' -> dict();
                case '\'', '"' -> string();
                default -> atom();
            };
        }

        List<Object> sequence(char close) {
            pos++;
            List<Object> out = new ArrayList<>();
            skipSpace();
            while (pos < s.length() && s.charAt(pos) != close) {
                out.add(value());
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    skipSpace();
                } else if (pos >= s.length() || s.charAt(pos) != close) {
                    throw error("expected ',' or '" + close + "'");
                }
            }
            if (pos >= s.length()) {
                throw error("unclosed '" + (close == ']' ? '[' : '(') + "'");
            }
            pos++;
            return out;
        }

        Map<Object, Object> dict() {
            pos++;
            Map<Object, Object> out = new LinkedHashMap<>();
            skipSpace();
            while (pos < s.length() && s.charAt(pos) != '}') {
                Object k = value();
                skipSpace();
                if (pos >= s.length() || s.charAt(pos) != ':') {
                    throw error("expected ':'");
                }
                pos++;
                out.put(k, value());
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    skipSpace();
                } else if (pos >= s.length() || s.charAt(pos) != '}') {
                    throw error("expected ',' or '}'");
                }
            }
            if (pos >= s.length()) {
                throw error("unclosed '{'");
            }
            pos++;
            return out;
        }

        String string() {
            char quote = s.charAt(pos++);
            StringBuilder sb = new StringBuilder();
            while (pos < s.length() && s.charAt(pos) != quote) {
                char c = s.charAt(pos++);
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    break;
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case '0' -> sb.append('\0');
                    case 'x' -> {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 2), 16));
                        pos += 2;
                    }
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    case '\\', '\'', '"' -> sb.append(e);
                    default -> sb.append('\\').append(e);
                }
            }
            if (pos >= s.length()) {
                throw error("unclosed string");
            }
            pos++;
            return sb.toString();
        }

        Object atom() {
            int start = pos;
            while (pos < s.length() && "[](){}:,'\"".indexOf(s.charAt(pos)) < 0 && !Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
            String word = s.substring(start, pos);
            switch (word) {
                case "True":
                    return Boolean.TRUE;
                case "False":
                    return Boolean.FALSE;
                case "None":
                    return null;
                default:
                    break;
            }
            try {
                if (word.matches("[+-]?\\d+")) {
                    return Long.parseLong(word);
                }
                return Double.parseDouble(word);
            } catch (NumberFormatException e) {
                pos = start;
                throw error("'" + word + "'");
            }
        }
    }

    private PyValues() {
    }
}
