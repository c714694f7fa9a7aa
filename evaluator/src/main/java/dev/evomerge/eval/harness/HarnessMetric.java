package dev.evomerge.eval.harness;

import dev.evomerge.eval.harness.HarnessSpec.OutputType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One entry of a task's {@code metric_list}, with lm-evaluation-harness's name and options.
 * {@code exact_match} applies {@code regexes_to_ignore} first, then {@code ignore_case}, then
 * {@code ignore_punctuation} and {@code ignore_numbers}, as its implementation does.
 *
 * {@snippet :
 * HarnessMetric em = new HarnessMetric("exact_match", true, true, false, List.of(","));
 * em.exactMatch("$1,000.", "1000");   // false: '$' and '.' are punctuation, ',' was removed by the regex
 * }
 */
public record HarnessMetric(String name, boolean ignoreCase, boolean ignorePunctuation, boolean ignoreNumbers,
                            List<String> regexesToIgnore) {

    /** Python's {@code string.punctuation}. */
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public HarnessMetric {
        regexesToIgnore = List.copyOf(regexesToIgnore);
    }

    /** A metric without options. */
    public static HarnessMetric named(String name) {
        return new HarnessMetric(name, false, false, false, List.of());
    }

    /** Whether a larger value is better (the perplexities are better smaller). */
    public boolean higherIsBetter() {
        return !name.endsWith("perplexity");
    }

    /** lm-evaluation-harness's exact match of one prediction against one reference. */
    public boolean exactMatch(String prediction, String reference) {
        String p = prediction;
        String r = reference;
        for (String regex : regexesToIgnore) {
            Pattern pat = Pattern.compile(HarnessFilter.javaRegex(regex));
            p = pat.matcher(p).replaceAll("");
            r = pat.matcher(r).replaceAll("");
        }
        if (ignoreCase) {
            p = p.toLowerCase(Locale.ROOT);
            r = r.toLowerCase(Locale.ROOT);
        }
        if (ignorePunctuation) {
            p = remove(p, PUNCTUATION);
            r = remove(r, PUNCTUATION);
        }
        if (ignoreNumbers) {
            p = remove(p, "0123456789");
            r = remove(r, "0123456789");
        }
        return p.equals(r);
    }

    private static String remove(String s, String chars) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) < 0) {
                sb.append(s.charAt(i));
            }
        }
        return sb.toString();
    }

    private static final Map<OutputType, List<String>> ALLOWED = Map.of(
            OutputType.GENERATE_UNTIL, List.of("exact_match"),
            OutputType.MULTIPLE_CHOICE, List.of("acc", "acc_norm"),
            OutputType.LOGLIKELIHOOD, List.of("perplexity", "acc"),
            OutputType.LOGLIKELIHOOD_ROLLING, List.of("word_perplexity", "byte_perplexity", "bits_per_byte"));

    private static final Map<String, String> AGGREGATION = Map.of("exact_match", "mean", "acc", "mean",
            "acc_norm", "mean", "perplexity", "perplexity", "word_perplexity", "weighted_perplexity",
            "byte_perplexity", "weighted_perplexity", "bits_per_byte", "bits_per_byte");

    static List<HarnessMetric> parse(HarnessSpec.Reader r, OutputType type) {
        Object list = r.value("metric_list");
        List<String> allowed = ALLOWED.get(type);
        if (list == null) {
            // lm-evaluation-harness's defaults per output type.
            return switch (type) {
                case GENERATE_UNTIL -> List.of(named("exact_match"));
                case MULTIPLE_CHOICE -> List.of(named("acc"), named("acc_norm"));
                case LOGLIKELIHOOD -> List.of(named("perplexity"), named("acc"));
                case LOGLIKELIHOOD_ROLLING -> List.of(named("word_perplexity"), named("byte_perplexity"),
                        named("bits_per_byte"));
            };
        }
        if (!(list instanceof List<?> entries) || entries.isEmpty()) {
            throw r.error("metric_list", "metric_list: expected a list of {metric: ...}");
        }
        List<HarnessMetric> out = new ArrayList<>();
        for (Object o : entries) {
            if (!(o instanceof Map<?, ?> m) || !(m.get("metric") instanceof String name)) {
                throw r.error("metric_list", "metric_list: each entry needs 'metric: NAME'");
            }
            if (!allowed.contains(name)) {
                throw r.error("metric_list", "metric '" + name + "' is not supported for " + type.label()
                        + " (supported: " + String.join(", ", allowed) + ")");
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = String.valueOf(e.getKey());
                if (k.equals("aggregation") && !AGGREGATION.get(name).equals(e.getValue())) {
                    throw r.error("metric_list", name + ": aggregation '" + e.getValue() + "' is not supported (only "
                            + AGGREGATION.get(name) + ")");
                }
                Set<String> keys = name.equals("exact_match")
                        ? Set.of("metric", "aggregation", "higher_is_better", "ignore_case", "ignore_punctuation",
                                "ignore_numbers", "regexes_to_ignore")
                        : Set.of("metric", "aggregation", "higher_is_better");
                if (!keys.contains(k)) {
                    throw r.error("metric_list", name + ": option '" + k + "' is not supported");
                }
            }
            List<String> regexes = new ArrayList<>();
            Object rx = m.get("regexes_to_ignore");
            if (rx instanceof List<?> l) {
                l.forEach(x -> regexes.add(String.valueOf(x)));
            } else if (rx != null) {
                throw r.error("metric_list", name + ": regexes_to_ignore: expected a list of patterns");
            }
            out.add(new HarnessMetric(name, Boolean.TRUE.equals(m.get("ignore_case")),
                    Boolean.TRUE.equals(m.get("ignore_punctuation")), Boolean.TRUE.equals(m.get("ignore_numbers")),
                    regexes));
        }
        return out;
    }
}
