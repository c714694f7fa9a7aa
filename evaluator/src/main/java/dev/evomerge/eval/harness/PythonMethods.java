package dev.evomerge.eval.harness;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;
import jinjava.javax.el.ELResolver;

/**
 * The Python methods lm-evaluation-harness's templates call on strings, lists and dicts
 * ({@code text.split(' ')}, {@code question.strip()}, {@code choices.label.index(answerKey)}, ...), with
 * Python's semantics. Any other method call on those values is an error naming it: without this, jinjava
 * would call the Java method of the same name ({@code String.split} takes a regex and drops trailing empty
 * strings), and a prompt would come out wrong without a word.
 */
final class PythonMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String || base instanceof List || base instanceof Map) || method == null) {
            return null;
        }
        String name = method.toString();
        Object[] args = params == null ? new Object[0] : params;
        Object result = switch (base) {
            case String s -> onString(s, name, args);
            case List<?> l -> onList(l, name, args);
            case Map<?, ?> m -> onDict(m, name, args);
            default -> throw new IllegalStateException();
        };
        context.setPropertyResolved(true);
        return result;
    }

    private static Object onString(String s, String name, Object[] a) {
        return switch (name) {
            case "strip" -> strip(s, charsArg(a), true, true);
            case "lstrip" -> strip(s, charsArg(a), true, false);
            case "rstrip" -> strip(s, charsArg(a), false, true);
            case "split" -> split(s, a.length > 0 ? a[0] : null, a.length > 1 ? toInt(a[1]) : -1);
            case "replace" -> replace(s, str(a, 0, name), str(a, 1, name), a.length > 2 ? toInt(a[2]) : -1);
            case "lower" -> s.toLowerCase(java.util.Locale.ROOT);
            case "upper" -> s.toUpperCase(java.util.Locale.ROOT);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                    + s.substring(1).toLowerCase(java.util.Locale.ROOT);
            case "startswith" -> s.startsWith(str(a, 0, name));
            case "endswith" -> s.endsWith(str(a, 0, name));
            case "find" -> (long) s.indexOf(str(a, 0, name));
            case "count" -> (long) count(s, str(a, 0, name));
            case "index" -> {
                int i = s.indexOf(str(a, 0, name));
                if (i < 0) {
                    throw new ELException("str.index: substring " + PyValues.repr(a[0]) + " not found");
                }
                yield (long) i;
            }
            case "join" -> {
                if (a.length != 1 || !(a[0] instanceof Iterable<?> items)) {
                    throw new ELException("str.join takes one list");
                }
                List<String> parts = new ArrayList<>();
                items.forEach(o -> parts.add(PyValues.str(o)));
                yield String.join(s, parts);
            }
            default -> throw unsupported("str", name);
        };
    }

    private static Object onList(List<?> l, String name, Object[] a) {
        return switch (name) {
            case "index" -> {
                int i = indexOf(l, a.length > 0 ? a[0] : null);
                if (i < 0) {
                    throw new ELException("list.index: " + PyValues.repr(a.length > 0 ? a[0] : null) + " is not in list");
                }
                yield (long) i;
            }
            case "count" -> (long) l.stream().filter(o -> pyEquals(o, a.length > 0 ? a[0] : null)).count();
            default -> throw unsupported("list", name);
        };
    }

    private static Object onDict(Map<?, ?> m, String name, Object[] a) {
        return switch (name) {
            case "get" -> m.containsKey(a.length > 0 ? a[0] : null) ? m.get(a[0]) : (a.length > 1 ? a[1] : null);
            case "keys" -> List.copyOf(m.keySet());
            case "values" -> new ArrayList<>(m.values());
            case "items" -> m.entrySet().stream().map(e -> java.util.Arrays.asList(e.getKey(), e.getValue())).toList();
            default -> throw unsupported("dict", name);
        };
    }

    private static ELException unsupported(String type, String name) {
        return new ELException("unsupported Python method " + type + "." + name + "()");
    }

    private static int indexOf(List<?> l, Object x) {
        for (int i = 0; i < l.size(); i++) {
            if (pyEquals(l.get(i), x)) {
                return i;
            }
        }
        return -1;
    }

    // JSON gives Integer or Long for the same Python int; compare numbers by value.
    static boolean pyEquals(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return java.util.Objects.equals(a, b);
    }

    private static String charsArg(Object[] a) {
        return a.length == 0 || a[0] == null ? null : a[0].toString();
    }

    private static String str(Object[] a, int i, String method) {
        if (a.length <= i || !(a[i] instanceof String s)) {
            throw new ELException("str." + method + ": argument " + (i + 1) + " must be a string");
        }
        return s;
    }

    private static int toInt(Object o) {
        if (o instanceof Number n) {
            return n.intValue();
        }
        throw new ELException("expected an integer, got " + PyValues.repr(o));
    }

    /** Python's strip family: whitespace (Python's {@code str.isspace}) when {@code chars} is null. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int from = 0;
        int to = s.length();
        while (left && from < to && stripped(s.charAt(from), chars)) {
            from++;
        }
        while (right && to > from && stripped(s.charAt(to - 1), chars)) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? isPySpace(c) : chars.indexOf(c) >= 0;
    }

    /** Python's {@code str.isspace} for one character. */
    static boolean isPySpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || (c >= 0x1c && c <= 0x1f) || c == 0x85;
    }

    /** Python's {@code str.split}: runs of whitespace without a separator, every occurrence with one. */
    static List<String> split(String s, Object sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isPySpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(strip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < n && !isPySpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        String sp = sep.toString();
        if (sp.isEmpty()) {
            throw new ELException("str.split: empty separator");
        }
        int from = 0;
        int at;
        while ((maxSplit < 0 || out.size() < maxSplit) && (at = s.indexOf(sp, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sp.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static String replace(String s, String old, String neu, int count) {
        if (count < 0) {
            return s.replace(old, neu);
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        int done = 0;
        int at;
        while (done < count && (at = s.indexOf(old, from)) >= 0 && !old.isEmpty()) {
            sb.append(s, from, at).append(neu);
            from = at + old.length();
            done++;
        }
        return sb.append(s.substring(from)).toString();
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1;
        }
        int n = 0;
        int from = 0;
        int at;
        while ((at = s.indexOf(sub, from)) >= 0) {
            n++;
            from = at + sub.length();
        }
        return n;
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // Read-only: templates only read documents.
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return Collections.emptyIterator();
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
