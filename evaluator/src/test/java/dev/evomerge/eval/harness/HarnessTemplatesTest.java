package dev.evomerge.eval.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Templates of lm-evaluation-harness's own task files, with the output Python's Jinja gives them. */
class HarnessTemplatesTest {

    private final HarnessTemplates t = new HarnessTemplates();

    @Test
    void lambadaSplitsOnOneSpaceAndKeepsEmptyWords() {
        Map<String, Object> doc = Map.of("text", "a  b c ");
        // Python: 'a  b c '.split(' ') == ['a', '', 'b', 'c', '']
        assertEquals("a  b c", t.render("{{text.split(' ')[:-1]|join(' ')}}", doc));
        assertEquals(" ", t.render("{{' '+text.split(' ')[-1]}}", doc));
        assertEquals("['a', 'b', 'c']", t.render("{{text.split()}}", doc));
    }

    @Test
    void listsPrintAsPythonRepr() {
        Map<String, Object> doc = Map.of("sol1", "it's", "sol2", "a \"b\"\n", "n", 3L, "x", 1.0, "f", true);
        assertEquals("[\"it's\", 'a \"b\"\\n']", t.render("{{[sol1, sol2]}}", doc));
        assertEquals("3 1.0 True", t.render("{{n}} {{x}} {{f}}", doc));
    }

    @Test
    void arcIndexesTheLabelList() {
        Map<String, Object> doc = Map.of("choices", Map.of("label", List.of("A", "B", "C"), "text", List.of("x", "y", "z")),
                "answerKey", "C", "question", "  Why? ");
        assertEquals("2", t.render("{{choices.label.index(answerKey)}}", doc));
        assertEquals("Question: Why?\nAnswer:", t.render("Question: {{question.strip()}}\nAnswer:", doc));
        assertEquals("  Why! ", t.render("{{question.replace('?', '!')}}", doc));
        assertEquals("Why", t.render("{{question.strip()[:3]}}", doc));
    }

    @Test
    void keepsATrailingNewline() {
        assertEquals("Q: x\n", t.render("Q: {{q}}\n", Map.of("q", "x")));
    }

    @Test
    void undefinedNamesAndJavaOnlyMethodsAreErrors() {
        var e = assertThrows(HarnessTemplates.TemplateException.class, () -> t.render("{{ answr }}", Map.of("answer", "1")));
        assertTrue(e.getMessage().contains("answr"), e.getMessage());
        var m = assertThrows(HarnessTemplates.TemplateException.class, () -> t.render("{{ q.length() }}", Map.of("q", "x")));
        assertTrue(m.getMessage().contains("str.length"), m.getMessage());
    }

    @Test
    void literalEvalReadsWhatTemplatesPrint() {
        assertEquals(List.of("it's", "a \"b\"\n"), PyValues.literal("[\"it's\", 'a \"b\"\\n']"));
        assertEquals(List.of(1L, 2.5, true), PyValues.literal("(1, 2.5, True)"));
        assertThrows(IllegalArgumentException.class, () -> PyValues.literal("[a, b]"));
    }
}
