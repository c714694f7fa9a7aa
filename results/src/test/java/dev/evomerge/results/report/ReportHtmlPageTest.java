package dev.evomerge.results.report;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportHtmlPageTest {
    @TempDir Path tmp;

    @Test
    void theScoreTableNamesEachMetricInFullAndMarksTheFitnessOne() {
        var scores = new java.util.LinkedHashMap<String, Double>();
        scores.put("gsm8k", 0.5);
        scores.put("old", 0.25);
        scores.put("path_length", -3.0);
        var values = new java.util.LinkedHashMap<String, Double>();
        values.put("exact_match,strict-match", 0.4);
        values.put("exact_match,flexible-extract", 0.5);
        var gsm8k = new dev.evomerge.results.TaskMetrics("exact_match,flexible-extract", values);
        RunReport report = new RunReport(tmp, "Run", List.of(), scores, java.util.Map.of("gsm8k", gsm8k), List.of(), List.of());
        assertEquals(List.of(
                List.of("gsm8k", "exact_match,strict-match", "0.4000"),
                List.of("gsm8k", "exact_match,flexible-extract (fitness)", "0.5000"),
                List.of("old", "", "0.2500"),
                List.of("path_length", "", "-3.0000")), report.scoreRows());
        String html = new HtmlPage("p").section(report).render(tmp);
        assertTrue(html.contains("<th>metric</th>"), html);
        assertTrue(html.contains("<td>exact_match,flexible-extract (fitness)</td>"), html);
    }

    @Test
    void textIsEscapedEverywhere() {
        String html = new HtmlPage("a <b> & \"c\"")
                .heading("<script>alert(1)</script>")
                .paragraph("x < y && 'z'")
                .table(List.of("<h>"), List.of(List.of("<td>")))
                .image("plots/a\".png", "cap <i>")
                .render(tmp);
        assertTrue(html.contains("<title>a &lt;b&gt; &amp; &quot;c&quot;</title>"), html);
        assertTrue(html.contains("<h2>&lt;script&gt;alert(1)&lt;/script&gt;</h2>"), html);
        assertTrue(html.contains("<p>x &lt; y &amp;&amp; &#39;z&#39;</p>"), html);
        assertTrue(html.contains("<th>&lt;h&gt;</th>") && html.contains("<td>&lt;td&gt;</td>"), html);
        assertTrue(html.contains("src=\"plots/a&quot;.png\"") && html.contains("<figcaption>cap &lt;i&gt;"), html);
        assertFalse(html.contains("<script>"));
        assertEquals("&amp;lt;", HtmlPage.escape("&lt;"));
    }

    @Test
    void bestCellOfEachNumericColumnIsMarked() {
        String html = new HtmlPage("t").table(List.of("model", "math", "lang"), List.of(
                        List.of("base", "0.10", "52%"),
                        List.of("merge", "0.40", "48%"),
                        List.of("expert", "0.40", "n/a")), HtmlPage.Highlight.MAX)
                .render(tmp);
        assertTrue(html.contains("<tr><td>base</td><td class=\"num\">0.10</td><td class=\"num best\">52%</td></tr>"), html);
        assertTrue(html.contains("<tr><td>merge</td><td class=\"num best\">0.40</td><td class=\"num\">48%</td></tr>"), html);
        assertTrue(html.contains("<td class=\"num best\">0.40</td><td>n/a</td>"), "ties are both marked");
        String min = new HtmlPage("t").table(List.of("x"), List.of(List.of("2"), List.of("1")), HtmlPage.Highlight.MIN)
                .render(tmp);
        assertTrue(min.contains("<td class=\"num best\">1</td>"), min);
        assertEquals(-1.5e-3, HtmlPage.number(" -1.5e-3 "));
        assertTrue(Double.isNaN(HtmlPage.number("v1.2")));
    }

    @Test
    void imagesAreLinkedRelativeToThePageAndWrittenAtomically() throws Exception {
        Path png = tmp.resolve("runs/a b/plots/fitness.png");
        Files.createDirectories(png.getParent());
        Files.write(png, new byte[] {1});
        Path page = new HtmlPage("demo").image(png, "fitness").write(tmp.resolve("demo/report.html"));
        String html = Files.readString(page);
        assertTrue(html.contains("src=\"../runs/a%20b/plots/fitness.png\""), html);
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("<style>"));
        try (var files = Files.list(tmp.resolve("demo"))) {
            assertEquals(List.of("report.html"), files.map(p -> p.getFileName().toString()).toList(), "no temp file left");
        }
    }
}
