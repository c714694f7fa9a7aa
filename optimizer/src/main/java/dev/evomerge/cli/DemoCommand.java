package dev.evomerge.cli;

import dev.evomerge.eval.EvalTarget;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.runtime.DeviceChoice;
import dev.evomerge.eval.task.Task;
import dev.evomerge.eval.task.TaskRunner;
import dev.evomerge.eval.task.TaskSplit;
import dev.evomerge.eval.tokenizer.ModelTokenizer;
import dev.evomerge.eval.zoo.DemoSkill;
import dev.evomerge.eval.zoo.DemoZoo;
import dev.evomerge.eval.zoo.ZooSettings;
import dev.evomerge.recipe.RecipeParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code evomerge demo}: the whole job on models the project trains itself. Builds the zoo once (a base and
 * three experts, {@link DemoZoo}), merges the experts by hand with default parameters, evolves a
 * parameter-space recipe and a layer path on the multi-skill target and a recipe on the cross-skill target,
 * exports and materialises the winners, scores every model on the test split, and writes one table
 * ({@code results.md}) and {@code report.html} with plots.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The built-in demo: train a tiny model zoo (once), merge it by hand and by evolution,"
                + " score everything on held-out rows, write OUT/report.html.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", defaultValue = "results/demo", paramLabel = "DIR",
            description = "where the zoo, runs, recipes and report go (default: ${DEFAULT-VALUE})")
    private Path out;

    @Option(names = "--quick", description = "a tiny zoo and short searches (seconds; for tests)")
    private boolean quick;

    @Option(names = "--generations", defaultValue = "0", description = "generations per search (0: the plan's)")
    private int generations;

    @Mixin
    private DeviceOptions deviceOptions;

    @Override
    public Integer call() throws IOException {
        DemoPlan plan = quick ? DemoPlan.quick() : DemoPlan.full();
        if (generations > 0) {
            plan = new DemoPlan(plan.zoo(), generations, plan.population());
        }
        // Chosen before the zoo is trained, so that a GPU asked for and missing fails at once.
        DeviceChoice device = DeviceChoice.of(deviceOptions.computeDevice());
        System.err.println(device.logLine());
        ComputeDevice computeDevice = device.used();
        long t0 = System.nanoTime();
        Path zoo = out.resolve("zoo");
        String zooDir = zoo.toString().replace('\\', '/');
        buildZoo(zoo, plan.zoo());

        Path recipes = out.resolve("recipes");
        Files.createDirectories(recipes);
        List<DemoTable.Entry> entries = new ArrayList<>();
        entries.add(DemoTable.Entry.model("base", "the base model", zoo.resolve("base")));
        for (ZooSettings.Expert e : plan.zoo().experts()) {
            entries.add(DemoTable.Entry.model(e.name(), "expert: " + e.skill().description(), zoo.resolve(e.name())));
        }
        for (DemoPlan.HandMade h : plan.handMade(zooDir)) {
            Path file = recipes.resolve(h.name() + ".yaml");
            Files.writeString(file, "# hand-made merge: " + h.description() + "\n" + h.yaml(), StandardCharsets.UTF_8);
            entries.add(DemoTable.Entry.recipe(h.name(), "hand-made: " + h.description(), file));
        }

        Path configs = out.resolve("configs");
        Path runs = out.resolve("runs");
        Files.createDirectories(configs);
        deleteTree(runs);
        Files.createDirectories(runs);
        Map<String, Path> runDirs = new LinkedHashMap<>();
        for (DemoPlan.Search s : plan.searches(zooDir)) {
            Path config = configs.resolve(s.name() + ".yaml");
            Files.writeString(config, "# " + s.description() + "\n" + s.yaml(), StandardCharsets.UTF_8);
            Path run = runs.resolve(s.name());
            System.err.printf("== search '%s': %s%n", s.name(), s.description());
            List<String> args = new ArrayList<>(List.of("search", config.toString(), "--run", run.toString()));
            args.addAll(deviceOptions.asArguments());
            check(Main.run(args.toArray(String[]::new)), "search " + s.name());
            Path best = recipes.resolve("evolved-" + s.name() + ".yaml");
            check(Main.run("export", run.toString(), "--out", best.toString()), "export " + s.name());
            check(Main.run("report", run.toString()), "report " + s.name());
            runDirs.put(s.name(), run);
            entries.add(DemoTable.Entry.recipe("evolved-" + s.name(), "evolved: " + s.description(), best));
        }

        // Parameter-space winners are materialised as a user would, and scored from the written directory.
        Path merged = out.resolve("merged");
        List<DemoTable.Entry> scored = new ArrayList<>();
        for (DemoTable.Entry e : entries) {
            if (e.recipe() && !isLayerPath(e.path())) {
                Path dir = merged.resolve(e.name());
                check(Main.run("merge", e.path().toString(), "--out", dir.toString(), "--overwrite", "--quiet"),
                        "merge " + e.name());
                scored.add(e.materialisedAt(dir));
            } else {
                scored.add(e);
            }
        }
        DemoTable table = score(scored, zoo.resolve("tasks"), computeDevice);
        String markdown = table.markdown();
        Files.writeString(out.resolve("results.md"), markdown, StandardCharsets.UTF_8);
        System.out.println();
        System.out.print(markdown);
        Path html = DemoReport.write(out, plan, table, runDirs);
        System.out.printf("%nreport: %s  (%.0f s)%n", html, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private static void buildZoo(Path zoo, ZooSettings settings) {
        if (DemoZoo.isBuilt(zoo, settings)) {
            System.err.println("== zoo: " + zoo + " (built before)");
            return;
        }
        System.err.println("== training the demo zoo in " + zoo + " (once; later runs reuse it)");
        int total = settings.base().steps() + settings.experts().size() * settings.expert().steps();
        try (ProgressLine bar = ProgressLine.open("zoo", total, ProgressLine.Unit.of("steps"))) {
            DemoZoo.build(zoo, settings, new DemoZoo.Listener() {
                public void stage(String name, int steps) {
                    bar.setExtraMessage(name);
                }

                public void step(int step) {
                    bar.step();
                }
            });
        }
    }

    private static DemoTable score(List<DemoTable.Entry> entries, Path taskDir, ComputeDevice device) {
        List<DemoSkill> skills = new ArrayList<>(DemoPlan.MULTI_SKILL);
        skills.add(DemoPlan.CROSS_SKILL);
        List<Task> tasks = skills.stream().map(s -> Task.load(taskDir.resolve(s.taskName() + ".yaml"))).toList();
        List<DemoTable.Row> rows = new ArrayList<>();
        Path cwd = Path.of("").toAbsolutePath();
        try (ProgressLine bar = ProgressLine.open("test split", entries.size(), ProgressLine.Unit.of("models"))) {
            for (DemoTable.Entry e : entries) {
                Map<String, Double> scores = new LinkedHashMap<>();
                try (EvalTarget target = EvalTarget.load(e.scoredFrom(), cwd, device);
                     ModelTokenizer tokenizer = ModelTokenizer.load(target.tokenizerDir())) {
                    TaskRunner runner = new TaskRunner(target.model(), tokenizer);
                    for (Task t : tasks) {
                        scores.put(t.name(), runner.run(t, TaskSplit.TEST, 0).score());
                    }
                }
                rows.add(new DemoTable.Row(e, scores));
                bar.step();
            }
        }
        return new DemoTable(rows, DemoPlan.MULTI_SKILL.stream().map(DemoSkill::taskName).toList(),
                DemoPlan.CROSS_SKILL.taskName());
    }

    private static boolean isLayerPath(Path recipe) {
        return !RecipeParser.parse(recipe).layerPath().isEmpty();
    }

    private static void check(int code, String what) {
        if (code != 0) {
            throw new IllegalStateException("demo: '" + what + "' failed with exit code " + code);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
