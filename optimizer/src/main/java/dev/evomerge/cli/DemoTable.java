package dev.evomerge.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The demo's result: every model's test-split accuracy per task, the multi-skill mean, and the cross-skill
 * task, as Markdown and as rows for the HTML page.
 *
 * @param multiSkill the tasks whose mean is the multi-skill target
 * @param crossSkill the cross-skill task
 */
record DemoTable(List<Row> rows, List<String> multiSkill, String crossSkill) {

    DemoTable {
        rows = List.copyOf(rows);
        multiSkill = List.copyOf(multiSkill);
        Objects.requireNonNull(crossSkill, "crossSkill");
    }

    /**
     * One model of the table: a zoo model, a hand-made or an evolved recipe.
     *
     * @param path       the model directory or recipe file it stands for
     * @param recipe     whether {@code path} is a recipe
     * @param scoredFrom what is scored: the recipe's materialised directory, or {@code path} itself
     */
    record Entry(String name, String description, Path path, boolean recipe, Path scoredFrom) {
        static Entry model(String name, String description, Path dir) {
            return new Entry(name, description, dir, false, dir);
        }

        static Entry recipe(String name, String description, Path file) {
            return new Entry(name, description, file, true, file);
        }

        Entry materialisedAt(Path dir) {
            return new Entry(name, description, path, recipe, dir);
        }
    }

    /** A model's test accuracy per task name. */
    record Row(Entry entry, Map<String, Double> scores) {
        Row {
            scores = Map.copyOf(scores);
        }

        double multiSkill(List<String> tasks) {
            return tasks.stream().mapToDouble(scores::get).average().orElse(Double.NaN);
        }
    }

    /** Column headers: model, each multi-skill task, the mean, the cross-skill task, what the row is. */
    List<String> header() {
        List<String> h = new ArrayList<>(List.of("model"));
        h.addAll(multiSkill);
        h.add("multi-skill (mean)");
        h.add(crossSkill + " (cross-skill)");
        h.add("what it is");
        return h;
    }

    /** Rows of percentages, in table order. */
    List<List<String>> cells() {
        List<List<String>> out = new ArrayList<>();
        for (Row r : rows) {
            List<String> line = new ArrayList<>(List.of(r.entry().name()));
            multiSkill.forEach(t -> line.add(percent(r.scores().get(t))));
            line.add(percent(r.multiSkill(multiSkill)));
            line.add(percent(r.scores().get(crossSkill)));
            line.add(r.entry().description());
            out.add(line);
        }
        return out;
    }

    /** The row named {@code name}. */
    Row row(String name) {
        return rows.stream().filter(r -> r.entry().name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no row '" + name + "'"));
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        List<String> h = header();
        sb.append("| ").append(String.join(" | ", h)).append(" |\n");
        sb.append("|").append("---|".repeat(h.size())).append('\n');
        for (List<String> line : cells()) {
            sb.append("| ").append(String.join(" | ", line)).append(" |\n");
        }
        return sb.toString();
    }

    static String percent(double v) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", 100 * v);
    }
}
