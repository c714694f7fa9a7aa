package dev.evomerge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.eval.EvalTarget;
import dev.evomerge.eval.harness.ChatTemplate;
import dev.evomerge.eval.harness.HarnessTask;
import dev.evomerge.eval.runtime.DeviceChoice;
import dev.evomerge.eval.task.Task;
import dev.evomerge.eval.task.TaskResult;
import dev.evomerge.eval.task.TaskRunner;
import dev.evomerge.eval.task.TaskSplit;
import dev.evomerge.eval.tokenizer.ModelTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code evomerge eval TARGET --task T.yaml ...}: scores a model, a recipe or a layer path on benchmark tasks. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score a model directory, a merge recipe (merged in memory) or a layer-path recipe on tasks.")
final class EvalCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TARGET", description = "model directory or recipe YAML")
    private Path target;

    @Option(names = "--task", required = true, paramLabel = "T.yaml", description = "task file (repeatable)")
    private List<Path> tasks = new ArrayList<>();

    @Option(names = "--split", defaultValue = "test", description = "search, test or all (default: ${DEFAULT-VALUE})")
    private String split;

    @Option(names = "--limit", defaultValue = "0", description = "at most N rows per task (0: all)")
    private int limit;

    @Option(names = "--json", paramLabel = "OUT.json", description = "also write the scores as JSON")
    private Path json;

    @Option(names = "--log-samples", paramLabel = "FILE.jsonl",
            description = "write one line per document of lm-evaluation-harness tasks: prompt, targets, output, scores")
    private Path logSamples;

    @Option(names = "--apply-chat-template",
            description = "render lm-evaluation-harness tasks' prompts through the tokenizer's chat template")
    private boolean applyChatTemplate;

    @Option(names = "--fewshot-as-multiturn",
            description = "with --apply-chat-template: each few-shot example as its own user and assistant turns")
    private boolean fewshotAsMultiturn;

    @Mixin
    private DeviceOptions deviceOptions;

    @Mixin
    private TaskOptions taskOptions;

    @Override
    public Integer call() throws IOException {
        TaskSplit taskSplit = TaskSplit.parse(split);
        // Every task file is read and checked before the model is loaded.
        if (fewshotAsMultiturn && !applyChatTemplate) {
            throw new IllegalArgumentException("--fewshot-as-multiturn needs --apply-chat-template");
        }
        List<Task> loaded = tasks.stream().map(p -> Task.load(p, taskOptions.options())).toList();
        for (Task t : loaded) {
            if (t.isHarness()) {
                t.harness().warnings().forEach(w -> System.err.println("warning: " + w));
            }
        }
        DeviceChoice device = DeviceChoice.of(deviceOptions.computeDevice());
        System.err.println(device.logLine());
        List<TaskResult> results = new ArrayList<>();
        try (EvalTarget model = EvalTarget.load(target, Path.of("").toAbsolutePath(), device.used());
             ModelTokenizer tokenizer = ModelTokenizer.load(model.tokenizerDir());
             SampleLog log = logSamples == null ? null : new SampleLog(logSamples)) {
            TaskRunner runner = new TaskRunner(model.model(), tokenizer);
            if (applyChatTemplate) {
                // The template is the model's: the tasks, already checked, are rendered again through it.
                HarnessTask.Options chat = taskOptions.options()
                        .withChatTemplate(ChatTemplate.load(model.tokenizerDir()), fewshotAsMultiturn);
                loaded = tasks.stream().map(p -> Task.load(p, chat)).toList();
            }
            for (Task task : loaded) {
                if (task.isHarness()) {
                    results.add(runner.runHarness(task, taskSplit, limit, s -> {
                        if (log != null) {
                            log.write(task.name(), s);
                        }
                    }));
                } else {
                    results.add(runner.run(task, taskSplit, limit));
                }
            }
            if (log != null) {
                log.commit();
            }
        }
        printTable(results);
        if (json != null) {
            writeJson(results, loaded);
        }
        return 0;
    }

    private static void printTable(List<TaskResult> results) {
        System.out.printf("%-24s %8s %6s %8s%n", "task", "score", "n", "split");
        for (TaskResult r : results) {
            System.out.printf("%-24s %8.4f %6d %8s%n", r.name(), r.score(), r.n(), r.split().label());
            r.extra().forEach((k, v) -> System.out.printf("  %-22s %8.4f%n", k, v));
        }
    }

    private void writeJson(List<TaskResult> results, List<Task> loaded) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("target", target.toString());
        ObjectNode byTask = root.putObject("tasks");
        for (int i = 0; i < results.size(); i++) {
            TaskResult r = results.get(i);
            ObjectNode t = byTask.putObject(r.name());
            if (loaded.get(i).isHarness()) {
                // Which rows each split holds, so that a reader can check no test row reached the search.
                ObjectNode rows = t.putObject("rows");
                rows.put("search", loaded.get(i).harness().searchSource());
                rows.put("test", loaded.get(i).harness().testSource());
            }
            t.put("metric", r.metric());
            t.put("score", r.score());
            t.put("n", r.n());
            t.put("split", r.split().label());
            for (Map.Entry<String, Double> e : r.extra().entrySet()) {
                t.put(e.getKey(), e.getValue());
            }
        }
        Path tmp = json.resolveSibling(json.getFileName() + ".tmp");
        mapper.writeValue(tmp.toFile(), root);
        Files.move(tmp, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
