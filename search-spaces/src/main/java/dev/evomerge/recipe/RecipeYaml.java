package dev.evomerge.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Writes recipes as mergekit YAML and computes their content hash from a canonical JSON form. */
final class RecipeYaml {

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    /** Plain scalars YAML 1.1 (PyYAML, mergekit) or YAML 1.2 would read as something other than a string. */
    private static final Set<String> SPECIAL = Set.of("y", "n", "yes", "no", "on", "off", "true", "false",
            "null", "~", ".inf", "-.inf", "+.inf", ".nan");
    /** Bumped if the canonical form ever changes, so old and new hashes never collide. */
    private static final int CANONICAL_VERSION = 1;

    private RecipeYaml() {
    }

    static String write(MergeRecipe r) {
        StringBuilder out = new StringBuilder();
        out.append("merge_method: ").append(string(r.mergeMethod())).append('\n');
        if (r.baseModel() != null) {
            out.append("base_model: ").append(string(r.baseModel())).append('\n');
        }
        if (!r.models().isEmpty()) {
            out.append("models:\n");
            for (ModelEntry m : r.models()) {
                out.append("  - model: ").append(string(m.model())).append('\n');
                parameters(out, m.parameters(), "    ");
            }
        }
        if (!r.slices().isEmpty()) {
            out.append("slices:\n");
            for (SliceDef s : r.slices()) {
                out.append("  - sources:\n");
                for (SliceSource src : s.sources()) {
                    out.append("      - model: ").append(string(src.model())).append('\n');
                    out.append("        layer_range: [").append(src.layerRange().start()).append(", ")
                            .append(src.layerRange().end()).append("]\n");
                    parameters(out, src.parameters(), "        ");
                }
                if (s.baseModel() != null) {
                    out.append("    base_model: ").append(string(s.baseModel())).append('\n');
                }
                parameters(out, s.parameters(), "    ");
            }
        }
        parameters(out, r.parameters(), "");
        if (r.dtype() != null) {
            out.append("dtype: ").append(string(r.dtype())).append('\n');
        }
        if (r.outDtype() != null) {
            out.append("out_dtype: ").append(string(r.outDtype())).append('\n');
        }
        if (r.tokenizerSource() != null) {
            out.append("tokenizer_source: ").append(string(r.tokenizerSource())).append('\n');
        }
        if (!r.layerPath().isEmpty()) {
            out.append("layer_path:\n");
            for (LayerStep step : r.layerPath()) {
                out.append("  - {model: ").append(string(step.model())).append(", layer: ").append(step.layer())
                        .append(", scale: ").append(number(step.scale())).append("}\n");
            }
        }
        return out.toString();
    }

    private static void parameters(StringBuilder out, Map<String, ParameterValue> params, String indent) {
        if (params.isEmpty()) {
            return;
        }
        out.append(indent).append("parameters:\n");
        params.forEach((name, value) -> {
            out.append(indent).append("  ").append(string(name)).append(':');
            switch (value) {
                case ParameterValue.Filtered f -> {
                    out.append('\n');
                    for (ParameterValue.FilterEntry e : f.entries()) {
                        out.append(indent).append("    - ");
                        if (e.filter() != null) {
                            out.append("filter: ").append(string(e.filter())).append('\n')
                                    .append(indent).append("      ");
                        }
                        out.append("value: ").append(inline(e.value())).append('\n');
                    }
                }
                default -> out.append(' ').append(inline(value)).append('\n');
            }
        });
    }

    private static String inline(ParameterValue value) {
        return switch (value) {
            case ParameterValue.Scalar s -> s.value() instanceof Double d ? number(d) : s.value().toString();
            case ParameterValue.Gradient g -> {
                List<String> parts = new ArrayList<>();
                g.values().forEach(v -> parts.add(number(v)));
                yield "[" + String.join(", ", parts) + "]";
            }
            case ParameterValue.Filtered f -> throw new IllegalStateException("filter lists are not inline");
        };
    }

    /** Exact decimal without exponent, so every YAML loader reads the same double back. */
    private static String number(double d) {
        return BigDecimal.valueOf(d).toPlainString();
    }

    private static String string(String s) {
        boolean plain = s.matches("(\\.{0,2}/|[A-Za-z_])[A-Za-z0-9_./+@-]*")
                && !SPECIAL.contains(s.toLowerCase(Locale.ROOT));
        if (plain) {
            return s;
        }
        try {
            return CANONICAL.writeValueAsString(s); // a JSON string is a valid YAML double-quoted scalar
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- content hash ----------------------------------------------------------------------------------

    static String contentHash(MergeRecipe r) {
        try {
            byte[] json = CANONICAL.writeValueAsBytes(canonical(r));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash recipe", e);
        }
    }

    /** String(json) of the canonical form, for debugging hash differences. */
    static String canonicalJson(MergeRecipe r) {
        try {
            return new String(CANONICAL.writeValueAsBytes(canonical(r)), StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> canonical(MergeRecipe r) {
        Map<String, Object> m = new TreeMap<>();
        m.put("v", CANONICAL_VERSION);
        m.put("merge_method", r.mergeMethod());
        putIfPresent(m, "base_model", r.baseModel());
        if (!r.models().isEmpty()) {
            List<Object> models = new ArrayList<>();
            for (ModelEntry e : r.models()) {
                Map<String, Object> mm = new TreeMap<>();
                mm.put("model", e.model());
                mm.put("parameters", canonical(e.parameters()));
                models.add(mm);
            }
            m.put("models", models);
        }
        if (!r.slices().isEmpty()) {
            List<Object> slices = new ArrayList<>();
            for (SliceDef s : r.slices()) {
                Map<String, Object> sm = new TreeMap<>();
                List<Object> sources = new ArrayList<>();
                for (SliceSource src : s.sources()) {
                    Map<String, Object> srcm = new TreeMap<>();
                    srcm.put("model", src.model());
                    srcm.put("layer_range", List.of(src.layerRange().start(), src.layerRange().end()));
                    srcm.put("parameters", canonical(src.parameters()));
                    sources.add(srcm);
                }
                sm.put("sources", sources);
                sm.put("parameters", canonical(s.parameters()));
                putIfPresent(sm, "base_model", s.baseModel());
                slices.add(sm);
            }
            m.put("slices", slices);
        }
        m.put("parameters", canonical(r.parameters()));
        putIfPresent(m, "dtype", r.dtype());
        putIfPresent(m, "out_dtype", r.outDtype());
        putIfPresent(m, "tokenizer_source", r.tokenizerSource());
        if (!r.layerPath().isEmpty()) {
            List<Object> steps = new ArrayList<>();
            for (LayerStep s : r.layerPath()) {
                Map<String, Object> sm = new TreeMap<>();
                sm.put("model", s.model());
                sm.put("layer", s.layer());
                sm.put("scale", s.scale());
                steps.add(sm);
            }
            m.put("layer_path", steps);
        }
        return m;
    }

    private static Map<String, Object> canonical(Map<String, ParameterValue> params) {
        Map<String, Object> out = new TreeMap<>();
        params.forEach((k, v) -> out.put(k, canonical(v)));
        return out;
    }

    private static Object canonical(ParameterValue v) {
        return switch (v) {
            case ParameterValue.Scalar s -> s.value();
            case ParameterValue.Gradient g -> g.values();
            case ParameterValue.Filtered f -> {
                List<Object> entries = new ArrayList<>();
                for (ParameterValue.FilterEntry e : f.entries()) {
                    Map<String, Object> em = new LinkedHashMap<>();
                    em.put("filter", e.filter()); // null kept: it means "any tensor"
                    em.put("value", canonical(e.value()));
                    entries.add(em);
                }
                yield entries;
            }
        };
    }

    private static void putIfPresent(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
