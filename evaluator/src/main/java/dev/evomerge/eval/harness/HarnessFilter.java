package dev.evomerge.eval.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * lm-evaluation-harness's answer filters: a named pipeline of steps applied to a generated answer before the
 * metrics see it; the pipeline's name becomes the second half of the metric's name
 * ({@code exact_match,strict-match}).
 *
 * {@snippet :
 * HarnessFilter f = new HarnessFilter.Regex("(-?[0-9.,]{2,})|(-?[0-9]+)", -1, "[invalid]");
 * f.apply("3 apples and 12 pears");   // "12": the last match, its first non-empty group
 * }
 */
public sealed interface HarnessFilter {

    /** The filtered answer. */
    String apply(String response);

    /**
     * {@code regex}: Python's {@code re.findall}, then the match at {@code group_select} (an index into the
     * matches, -1 the last); a match with several groups gives its first non-empty group; stripped.
     */
    record Regex(String pattern, int groupSelect, String fallback) implements HarnessFilter {
        @Override
        public String apply(String response) {
            Matcher m = Pattern.compile(javaRegex(pattern)).matcher(response);
            List<List<String>> found = new ArrayList<>();
            while (m.find()) {
                List<String> groups = new ArrayList<>();
                if (m.groupCount() == 0) {
                    groups.add(m.group());
                } else {
                    for (int g = 1; g <= m.groupCount(); g++) {
                        groups.add(m.group(g) == null ? "" : m.group(g));
                    }
                }
                found.add(groups);
            }
            if (found.isEmpty()) {
                return fallback;
            }
            int i = groupSelect < 0 ? found.size() + groupSelect : groupSelect;
            if (i < 0 || i >= found.size()) {
                // Python raises IndexError here; an answer without that many matches is no answer.
                return fallback;
            }
            List<String> groups = found.get(i);
            String pick = groups.size() == 1 ? groups.getFirst()
                    : groups.stream().filter(g -> !g.isEmpty()).findFirst().orElse(fallback);
            return PythonMethods.strip(pick, null, true, true);
        }
    }

    /** {@code take_first}: with one greedy response per document, the response itself. */
    record TakeFirst() implements HarnessFilter {
        @Override
        public String apply(String response) {
            return response;
        }
    }

    /** {@code remove_whitespace}: strips both ends. */
    record RemoveWhitespace() implements HarnessFilter {
        @Override
        public String apply(String response) {
            return PythonMethods.strip(response, null, true, true);
        }
    }

    /** {@code lowercase}. */
    record Lowercase() implements HarnessFilter {
        @Override
        public String apply(String response) {
            return response.toLowerCase(Locale.ROOT);
        }
    }

    /** {@code uppercase}. */
    record Uppercase() implements HarnessFilter {
        @Override
        public String apply(String response) {
            return response.toUpperCase(Locale.ROOT);
        }
    }

    /** A named list of steps, applied in order. */
    record Pipeline(String name, List<HarnessFilter> steps) {
        public Pipeline {
            steps = List.copyOf(steps);
        }

        public String apply(String response) {
            String s = response;
            for (HarnessFilter f : steps) {
                s = f.apply(s);
            }
            return s;
        }

        /** lm-evaluation-harness's pipeline when a task lists none. */
        public static Pipeline none() {
            return new Pipeline("none", List.of(new TakeFirst()));
        }
    }

    /** Python's regex syntax where it differs from Java's: named groups and their back-references. */
    static String javaRegex(String python) {
        return python.replace("(?P<", "(?<").replaceAll("\\(\\?P=(\\w+)\\)", "\\\\k<$1>");
    }

    static List<Pipeline> parse(HarnessSpec.Reader r) {
        Object list = r.value("filter_list");
        if (list == null) {
            return List.of(Pipeline.none());
        }
        if (!(list instanceof List<?> entries) || entries.isEmpty()) {
            throw r.error("filter_list", "filter_list: expected a list of {name, filter: [...]}");
        }
        List<Pipeline> out = new ArrayList<>();
        for (Object o : entries) {
            if (!(o instanceof Map<?, ?> m) || !(m.get("name") instanceof String name)
                    || !(m.get("filter") instanceof List<?> steps)) {
                throw r.error("filter_list", "filter_list: each entry needs 'name' and a 'filter' list");
            }
            List<HarnessFilter> parsed = new ArrayList<>();
            for (Object s : steps) {
                if (!(s instanceof Map<?, ?> step) || !(step.get("function") instanceof String fn)) {
                    throw r.error("filter_list", name + ": each step needs 'function'");
                }
                parsed.add(switch (fn) {
                    case "regex" -> {
                        for (Object k : step.keySet()) {
                            if (!List.of("function", "regex_pattern", "group_select", "fallback").contains(k)) {
                                throw r.error("filter_list", name + ": regex option '" + k + "' is not supported");
                            }
                        }
                        Object pattern = step.containsKey("regex_pattern") ? step.get("regex_pattern") : "#### (\\-?[0-9\\.\\,]+)";
                        Object group = step.containsKey("group_select") ? step.get("group_select") : 0L;
                        Object fallback = step.containsKey("fallback") ? step.get("fallback") : "[invalid]";
                        if (!(pattern instanceof String p) || !(group instanceof Long g) || !(fallback instanceof String fb)) {
                            throw r.error("filter_list", name + ": regex needs a string regex_pattern, an integer group_select"
                                    + " and a string fallback");
                        }
                        try {
                            Pattern.compile(javaRegex(p));
                        } catch (java.util.regex.PatternSyntaxException e) {
                            throw r.error("filter_list", name + ": regex_pattern does not compile: " + e.getDescription());
                        }
                        yield new Regex(p, g.intValue(), fb);
                    }
                    case "take_first" -> new TakeFirst();
                    case "remove_whitespace" -> new RemoveWhitespace();
                    case "lowercase" -> new Lowercase();
                    case "uppercase" -> new Uppercase();
                    default -> throw r.error("filter_list", name + ": filter function '" + fn
                            + "' is not supported (supported: regex, take_first, remove_whitespace, lowercase, uppercase)");
                });
            }
            out.add(new Pipeline(name, parsed));
        }
        return out;
    }
}
