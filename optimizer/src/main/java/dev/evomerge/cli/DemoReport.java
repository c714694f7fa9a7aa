package dev.evomerge.cli;

import dev.evomerge.eval.zoo.ZooSettings;
import dev.evomerge.results.report.Charts;
import dev.evomerge.results.report.HtmlPage;
import dev.evomerge.results.report.RunReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The demo's {@code report.html}: the story, the test-split table, a picture of it, and each search's plots. */
final class DemoReport {

    private DemoReport() {
    }

    static Path write(Path out, DemoPlan plan, DemoTable table, Map<String, Path> runs) {
        ZooSettings z = plan.zoo();
        HtmlPage page = new HtmlPage("evomerge demo: evolving a merge of self-trained experts");
        page.paragraph("A tiny Llama-architecture base model (" + z.layers() + " layers, hidden size " + z.hidden()
                + ") was trained here on random text with a little of every skill, then fine-tuned into "
                + z.experts().size() + " experts, one skill each: "
                + String.join("; ", z.experts().stream().map(e -> e.name() + " = " + e.skill().description()).toList())
                + ". The multi-skill target asks one model for all of them; the cross-skill target ("
                + DemoPlan.CROSS_SKILL.description() + ") is a skill none of the experts was trained on, "
                + "as in Akiba et al. (2024), where a Japanese model and a math model merge into one that does math "
                + "in Japanese.");
        page.paragraph("Searches see only the search rows of each task (" + z.searchRows() + " per task); every number "
                + "below is accuracy (greedy decoding, exact match) on the " + z.testRows() + " held-out test rows per task. "
                + "Hand-made merges use default parameters; evolved recipes ran " + plan.generations()
                + " generations each.");
        page.heading("Test-split accuracy");
        page.table(table.header(), table.cells(), HtmlPage.Highlight.MAX);
        page.image(heatMap(out, table), "Test accuracy per model and task (the table as a picture).");
        for (Map.Entry<String, Path> run : runs.entrySet()) {
            page.section(RunReport.draw(run.getValue()));
        }
        return page.write(out.resolve("report.html"));
    }

    private static Path heatMap(Path out, DemoTable table) {
        List<String> rows = new ArrayList<>();
        List<String> columns = new ArrayList<>(table.multiSkill());
        columns.add("multi-skill");
        columns.add(table.crossSkill());
        double[][] values = new double[table.rows().size()][columns.size()];
        for (int i = 0; i < table.rows().size(); i++) {
            DemoTable.Row r = table.rows().get(i);
            rows.add(r.entry().name());
            for (int j = 0; j < table.multiSkill().size(); j++) {
                values[i][j] = r.scores().get(table.multiSkill().get(j));
            }
            values[i][columns.size() - 2] = r.multiSkill(table.multiSkill());
            values[i][columns.size() - 1] = r.scores().get(table.crossSkill());
        }
        Path png = out.resolve("plots").resolve("accuracy.png");
        Charts.writePng(Charts.heatMap("Test-split accuracy", rows, columns, values), png);
        return png;
    }
}
