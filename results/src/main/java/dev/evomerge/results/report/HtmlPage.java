package dev.evomerge.results.report;

import dev.evomerge.results.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A self-contained HTML page built block by block: inline CSS, every text escaped, images referenced by
 * paths relative to the page so the folder can be moved or committed as a whole.
 *
 * {@snippet :
 * new HtmlPage("evomerge demo")
 *         .paragraph("Scores on the test split.")
 *         .table(List.of("model", "math", "lang"), rows, HtmlPage.Highlight.MAX)
 *         .section(RunReport.write(runDir))
 *         .write(Path.of("results/demo/report.html"));
 * }
 */
public final class HtmlPage {

    /** Which cell of each numeric column a table marks. */
    public enum Highlight { NONE, MAX, MIN }

    private static final Pattern NUMBER = Pattern.compile("\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?\\s*%?\\s*");

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#222;
            max-width:980px;margin:2em auto;padding:0 1em;line-height:1.45}
            h1{font-size:1.7em;margin-bottom:.3em}h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #ddd}
            h3{font-size:1.1em;margin-top:1.4em}
            table{border-collapse:collapse;margin:.8em 0;font-size:.95em}
            th,td{border:1px solid #ccc;padding:.3em .7em;text-align:left}
            th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
            td.best{font-weight:bold;background:#e6f0fa}
            figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
            figcaption{color:#555;font-size:.9em}
            """;

    private sealed interface Block permits Text, Table, Image {}

    private record Text(String tag, String text) implements Block {}

    private record Table(List<String> header, List<List<String>> rows, Highlight highlight) implements Block {}

    /** Either a path relative to the page as given, or a file whose path is made relative at writing. */
    private record Image(String relative, Path file, String caption) implements Block {}

    private final String title;
    private final List<Block> blocks = new ArrayList<>();

    /** A page whose {@code <title>} and top heading are {@code title}. */
    public HtmlPage(String title) {
        this.title = Objects.requireNonNull(title, "title");
    }

    public HtmlPage heading(String text) {
        blocks.add(new Text("h2", text));
        return this;
    }

    public HtmlPage subheading(String text) {
        blocks.add(new Text("h3", text));
        return this;
    }

    public HtmlPage paragraph(String text) {
        blocks.add(new Text("p", text));
        return this;
    }

    /** Text shown as-is in a fixed-width block (a command line, a log excerpt). */
    public HtmlPage preformatted(String text) {
        blocks.add(new Text("pre", text));
        return this;
    }

    public HtmlPage table(List<String> header, List<List<String>> rows) {
        return table(header, rows, Highlight.NONE);
    }

    /**
     * A table; with {@link Highlight#MAX} or {@link Highlight#MIN} the best cells of every column whose
     * cells are numbers (a trailing % allowed; blank and non-numeric cells ignored) are marked in bold.
     */
    public HtmlPage table(List<String> header, List<List<String>> rows, Highlight highlight) {
        List<List<String>> copy = rows.stream().map(List::copyOf).toList();
        for (List<String> r : copy) {
            if (r.size() > header.size()) {
                throw new IllegalArgumentException("table row " + r + " has more cells than the header " + header);
            }
        }
        blocks.add(new Table(List.copyOf(header), copy, Objects.requireNonNull(highlight, "highlight")));
        return this;
    }

    /** An image given by a path relative to the page's folder, with a caption. */
    public HtmlPage image(String relativePng, String caption) {
        blocks.add(new Image(Objects.requireNonNull(relativePng, "relativePng"), null, caption));
        return this;
    }

    /** An image file anywhere; its link is made relative to the page when the page is written. */
    public HtmlPage image(Path png, String caption) {
        blocks.add(new Image(null, Objects.requireNonNull(png, "png"), caption));
        return this;
    }

    /** A run's report as a section: its title, summary, per-task scores and plots. */
    public HtmlPage section(RunReport report) {
        heading(report.title());
        report.notes().forEach(this::paragraph);
        table(List.of("", ""), report.summary());
        if (!report.bestScores().isEmpty()) {
            table(RunReport.SCORE_COLUMNS, report.scoreRows());
        }
        for (RunReport.Figure f : report.figures()) {
            image(report.runDir().resolve(f.png()), f.caption());
        }
        return this;
    }

    /** The page as HTML, with image links relative to {@code pageFolder}. */
    public String render(Path pageFolder) {
        StringBuilder out = new StringBuilder(4096);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
                .append(escape(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<h1>")
                .append(escape(title)).append("</h1>\n");
        for (Block b : blocks) {
            switch (b) {
                case Text t -> out.append('<').append(t.tag()).append('>').append(escape(t.text()))
                        .append("</").append(t.tag()).append(">\n");
                case Table t -> renderTable(out, t);
                case Image i -> {
                    String src = i.relative() != null ? i.relative() : link(pageFolder, i.file());
                    out.append("<figure><img src=\"").append(escape(src)).append("\" alt=\"")
                            .append(escape(i.caption() == null ? "" : i.caption())).append("\">");
                    if (i.caption() != null && !i.caption().isBlank()) {
                        out.append("<figcaption>").append(escape(i.caption())).append("</figcaption>");
                    }
                    out.append("</figure>\n");
                }
            }
        }
        out.append("</body>\n</html>\n");
        return out.toString();
    }

    /** Writes the page atomically (creating its folder); image links are relative to it. */
    public Path write(Path html) {
        Path folder = html.toAbsolutePath().getParent();
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + folder + ": " + e.getMessage(), e);
        }
        AtomicFiles.write(html, render(folder).getBytes(StandardCharsets.UTF_8));
        return html;
    }

    /** Escapes text for HTML element content and double- or single-quoted attributes. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String link(Path pageFolder, Path file) {
        Path rel = pageFolder.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize());
        // URLs use '/', and each segment is percent-encoded where a browser would misread it
        List<String> parts = new ArrayList<>();
        for (Path p : rel) {
            parts.add(p.toString().replace("%", "%25").replace(" ", "%20").replace("#", "%23").replace("?", "%3F"));
        }
        return String.join("/", parts);
    }

    private static void renderTable(StringBuilder out, Table t) {
        int cols = t.header().size();
        boolean[][] best = new boolean[t.rows().size()][cols];
        if (t.highlight() != Highlight.NONE) {
            for (int c = 0; c < cols; c++) {
                double bestValue = Double.NaN;
                for (List<String> row : t.rows()) {
                    double v = c < row.size() ? number(row.get(c)) : Double.NaN;
                    if (!Double.isNaN(v) && (Double.isNaN(bestValue)
                            || (t.highlight() == Highlight.MAX ? v > bestValue : v < bestValue))) {
                        bestValue = v;
                    }
                }
                for (int r = 0; r < t.rows().size() && !Double.isNaN(bestValue); r++) {
                    List<String> row = t.rows().get(r);
                    best[r][c] = c < row.size() && number(row.get(c)) == bestValue;
                }
            }
        }
        out.append("<table>\n");
        if (t.header().stream().anyMatch(h -> !h.isEmpty())) {
            out.append("<thead><tr>");
            for (String h : t.header()) {
                out.append("<th>").append(escape(h)).append("</th>");
            }
            out.append("</tr></thead>\n");
        }
        out.append("<tbody>\n");
        for (int r = 0; r < t.rows().size(); r++) {
            List<String> row = t.rows().get(r);
            out.append("<tr>");
            for (int c = 0; c < cols; c++) {
                String cell = c < row.size() ? row.get(c) : "";
                boolean numeric = !Double.isNaN(number(cell));
                String cls = (numeric ? "num" : "") + (best[r][c] ? (numeric ? " best" : "best") : "");
                out.append(cls.isEmpty() ? "<td>" : "<td class=\"" + cls + "\">").append(escape(cell)).append("</td>");
            }
            out.append("</tr>\n");
        }
        out.append("</tbody></table>\n");
    }

    /** The cell as a number, or NaN; "51.2%" reads as 51.2. */
    static double number(String cell) {
        if (cell == null || !NUMBER.matcher(cell).matches()) {
            return Double.NaN;
        }
        return Double.parseDouble(cell.strip().replace("%", "").strip());
    }
}
