package dev.evomerge.cli;

import dev.evomerge.eval.harness.HarnessDoc;
import dev.evomerge.eval.harness.HarnessScorer;
import dev.evomerge.eval.harness.HarnessTask;
import dev.evomerge.eval.task.Task;
import dev.evomerge.eval.task.TaskRow;
import dev.evomerge.eval.task.TaskSplit;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code evomerge tasks show TASK.yaml}: an lm-evaluation-harness task's first prompts, without a model. */
@Command(name = "tasks", mixinStandardHelpOptions = true, description = "Inspect task files.",
        subcommands = {TasksCommand.Show.class})
final class TasksCommand implements Runnable {

    @Override
    public void run() {
        throw new IllegalArgumentException("tasks: give a subcommand (show)");
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print a task's first rendered prompts and targets (no model is loaded).")
    static final class Show implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "TASK.yaml")
        private Path file;

        @Option(names = "--limit", defaultValue = "3", description = "documents to print (default: ${DEFAULT-VALUE})")
        private int limit;

        @Option(names = "--split", defaultValue = "test", description = "search or test (default: ${DEFAULT-VALUE})")
        private String split;

        @Mixin
        private TaskOptions taskOptions;

        @Override
        public Integer call() {
            TaskSplit which = TaskSplit.parse(split);
            Task task = Task.load(file, taskOptions.options());
            if (!task.isHarness()) {
                showOwnFormat(task, which);
                return 0;
            }
            HarnessTask h = task.harness();
            h.warnings().forEach(w -> System.err.println("warning: " + w));
            System.out.println("task " + h.name() + " (" + h.spec().outputType().label() + "); metrics: "
                    + String.join(", ", HarnessScorer.metricKeys(h.spec())));
            System.out.println(h.describeSplits());
            List<HarnessDoc> docs = switch (which) {
                case SEARCH -> h.search();
                case TEST -> h.test();
                case ALL -> throw new IllegalArgumentException("--split: search or test");
            };
            for (HarnessDoc d : docs.subList(0, Math.min(limit, docs.size()))) {
                System.out.println();
                System.out.println("=== " + d.split() + " row " + d.index() + " (" + d.file() + ":" + d.line() + ") ===");
                System.out.println(d.context());
                System.out.println("--- " + switch (h.spec().outputType()) {
                    case MULTIPLE_CHOICE -> "continuations (gold " + d.gold() + "): " + quoted(d.continuations());
                    case GENERATE_UNTIL -> "target: " + quoted(d.targets()) + "; until " + quoted(h.spec().until());
                    case LOGLIKELIHOOD, LOGLIKELIHOOD_ROLLING -> "continuation: " + quoted(d.continuations());
                });
            }
            return 0;
        }

        /** evomerge's own format: each row's prompt (or text) and its answer, as the runner scores them. */
        private void showOwnFormat(Task task, TaskSplit which) {
            if (which == TaskSplit.ALL) {
                throw new IllegalArgumentException("--split: search or test");
            }
            List<TaskRow> rows = task.rows(which);
            System.out.println("task " + task.name() + " (" + task.type().name().toLowerCase(java.util.Locale.ROOT)
                    + "); metric: " + task.metric().label() + "; " + rows.size() + " " + which.name().toLowerCase(
                    java.util.Locale.ROOT) + " rows of " + task.data());
            for (TaskRow row : rows.subList(0, Math.min(limit, rows.size()))) {
                System.out.println();
                System.out.println("=== " + task.data().getFileName() + ":" + row.line() + " ===");
                switch (row) {
                    case TaskRow.Generate g -> {
                        System.out.println(g.prompt());
                        System.out.println("--- answer: " + quoted(List.of(g.answer())));
                    }
                    case TaskRow.Choice c -> {
                        System.out.println(c.prompt());
                        System.out.println("--- choices (answer " + c.answer() + "): " + quoted(c.choices()));
                    }
                    case TaskRow.Loglik l -> System.out.println(l.text());
                }
            }
        }

        private static String quoted(List<String> xs) {
            return xs.stream().map(x -> "\"" + x.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + "\"")
                    .toList().toString();
        }
    }
}
