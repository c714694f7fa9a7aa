package dev.evomerge.eval.harness;

import dev.evomerge.eval.harness.HarnessSpec.Formatting;
import dev.evomerge.eval.harness.LocalDatasets.Doc;
import dev.evomerge.eval.task.TaskException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes documents out as lm-evaluation-harness does: {@code doc_to_text}, {@code doc_to_target} and
 * {@code doc_to_choice} (column, integer, list or template), and the prompt: the description as it is, each
 * few-shot example as text + target delimiter + answer + few-shot delimiter, then the document's text with no
 * delimiter after it. Template errors name the task file, the key, the data row and the template.
 */
final class HarnessPrompts {

    /** A chat message, with the text that follows it when the prompt is written as plain text. */
    record Message(String role, String content, String delimiter) {
        String text() {
            return content + delimiter;
        }
    }

    private final HarnessSpec spec;
    private final HarnessTemplates templates;
    /** Column names: lm-evaluation-harness takes them from the evaluated split's documents. */
    private final Set<String> features;

    HarnessPrompts(HarnessSpec spec, HarnessTemplates templates, Set<String> features) {
        this.spec = spec;
        this.templates = templates;
        this.features = Set.copyOf(features);
    }

    /** The messages of a prompt: description, few-shot turns, the document's question. */
    List<Message> messages(Doc doc, List<Doc> fewshot) {
        List<Message> out = new ArrayList<>();
        String description = describe(doc);
        if (!description.isEmpty()) {
            out.add(new Message("system", description, ""));
        }
        Formatting fs = spec.fewshotFormatting();
        for (Doc ex : fewshot) {
            String q = textOf(ex, fs, "doc_to_text");
            List<String> c = fs.docToChoice() != null ? choices(ex, fs) : null;
            Object a = target(ex, fs);
            boolean hasAnswer = a != null && !"".equals(a);
            out.add(new Message("user", q, hasAnswer ? fs.targetDelimiter() : ""));
            if (hasAnswer) {
                Object answer = c != null && a instanceof Long i ? pick(ex, c, i) : a instanceof List<?> l ? l.getFirst() : a;
                if (!(answer instanceof String s)) {
                    throw rowError("doc_to_target", ex, "a few-shot answer must be text, got " + PyValues.repr(answer));
                }
                out.add(new Message("assistant", s, fs.fewshotDelimiter()));
            }
        }
        out.add(new Message("user", textOf(doc, spec.formatting(), "doc_to_text"), ""));
        return out;
    }

    /** The prompt as plain text. */
    static String plain(List<Message> messages) {
        StringBuilder sb = new StringBuilder();
        messages.forEach(m -> sb.append(m.text()));
        return sb.toString();
    }

    /**
     * The messages as a chat template takes them: every turn as it is ({@code multiturn}), or, as
     * lm-evaluation-harness's {@code multiturn_to_singleturn}, the system message and one user message holding
     * the few-shot examples and the question as plain text.
     */
    static List<Map<String, String>> chat(List<Message> messages, boolean multiturn) {
        List<Map<String, String>> out = new ArrayList<>();
        List<Message> rest = messages;
        if (messages.getFirst().role().equals("system")) {
            out.add(Map.of("role", "system", "content", messages.getFirst().content()));
            rest = messages.subList(1, messages.size());
        }
        if (multiturn) {
            rest.forEach(m -> out.add(Map.of("role", m.role(), "content", m.content())));
        } else {
            StringBuilder user = new StringBuilder();
            for (int i = 0; i < rest.size(); i++) {
                user.append(rest.get(i).content()).append(i == rest.size() - 1 ? "" : rest.get(i).delimiter());
            }
            out.add(Map.of("role", "user", "content", user.toString()));
        }
        return out;
    }

    private Object pick(Doc doc, List<String> choices, long i) {
        if (i < 0 || i >= choices.size()) {
            throw rowError("doc_to_target", doc, "answer index " + i + " is outside the " + choices.size() + " choices");
        }
        return choices.get((int) i);
    }

    String describe(Doc doc) {
        String d = spec.formatting().description();
        if (d.isEmpty()) {
            return "";
        }
        return PyValues.str(doc.fields().containsKey(d) ? doc.fields().get(d) : render("description", d, doc));
    }

    String textOf(Doc doc, Formatting f, String key) {
        Object t = f.docToText();
        if (t instanceof Long) {
            throw new TaskException(spec.file(), line(key), key + ": an integer doc_to_text (one context per choice) is not supported");
        }
        String s = (String) t;
        Object v = features.contains(s) ? doc.fields().get(s) : render(key, s, doc);
        if (v instanceof String text) {
            if (f.docToChoice() != null && isDigits(text) && !features.contains(s)) {
                throw new TaskException(spec.file(), line(key), key + ": a doc_to_text that renders a number with "
                        + "doc_to_choice (one context per choice) is not supported");
            }
            return text;
        }
        throw rowError(key, doc, "expected text, got " + PyValues.repr(v));
    }

    /** doc_to_target: an integer, a string, or a list (several targets or gold indices). */
    Object target(Doc doc, Formatting f) {
        Object t = f.docToTarget();
        if (t instanceof Long || t instanceof List<?>) {
            return t;
        }
        String s = (String) t;
        if (features.contains(s)) {
            Object v = doc.fields().get(s);
            return v instanceof Integer i ? Long.valueOf(i) : v;
        }
        String r = render("doc_to_target", s, doc);
        if (isDigits(r) && f.docToChoice() != null) {
            return Long.parseLong(r);
        }
        if (r.length() >= 2 && r.startsWith("[") && r.endsWith("]")) {
            try {
                return PyValues.literal(r);
            } catch (IllegalArgumentException e) {
                return r;
            }
        }
        return r;
    }

    List<String> choices(Doc doc, Formatting f) {
        Object c = f.docToChoice();
        Object v;
        if (c instanceof String s) {
            if (features.contains(s)) {
                v = doc.fields().get(s);
            } else {
                String rendered = render("doc_to_choice", s, doc);
                try {
                    v = PyValues.literal(rendered);
                } catch (IllegalArgumentException e) {
                    throw rowError("doc_to_choice", doc, e.getMessage());
                }
            }
        } else if (c instanceof Map<?, ?> m) {
            v = new ArrayList<>(m.values());
        } else {
            v = c;
        }
        if (!(v instanceof List<?> l)) {
            throw rowError("doc_to_choice", doc, "expected a list of choices, got " + PyValues.repr(v));
        }
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String s)) {
                throw rowError("doc_to_choice", doc, "a choice must be text, got " + PyValues.repr(o));
            }
            out.add(s);
        }
        return out;
    }

    private String render(String key, String template, Doc doc) {
        try {
            return templates.render(template, doc.fields());
        } catch (HarnessTemplates.TemplateException e) {
            throw rowError(key, doc, e.getMessage() + " (in '" + template.replace("\n", "\\n") + "')");
        }
    }

    TaskException rowError(String key, Doc doc, String problem) {
        HarnessYaml.Value v = spec.keys().get(key.equals("doc_to_text") && !spec.keys().containsKey(key) ? "task" : key);
        String where = doc.file() + ":" + doc.line();
        if (v == null) {
            return new TaskException(spec.file(), 0, key + ": " + where + ": " + problem);
        }
        return new TaskException(v.file(), v.line(), key + ": " + where + ": " + problem);
    }

    private int line(String key) {
        HarnessYaml.Value v = spec.keys().get(key);
        return v == null ? 0 : v.line();
    }

    /** Python's {@code str.isdigit} (non-empty, every character a digit). */
    static boolean isDigits(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}
