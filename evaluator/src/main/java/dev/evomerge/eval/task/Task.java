package dev.evomerge.eval.task;

import dev.evomerge.eval.harness.HarnessDoc;
import dev.evomerge.eval.harness.HarnessScorer;
import dev.evomerge.eval.harness.HarnessSpec;
import dev.evomerge.eval.harness.HarnessTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A benchmark: its rows and how to score them, read from a YAML file whose {@code data} names a JSONL file
 * beside it.
 *
 * {@snippet lang=yaml :
 * name: gsm8k-mini
 * type: generate          # generate | choice | loglik
 * data: gsm8k-mini.jsonl  # relative to this file
 * metric: number          # generate: exact | number; choice: accuracy; loglik: loglik
 * max_new_tokens: 256
 * stop: ["\n\n", "Question:"]
 * prefix: "Question: 1+1?\nAnswer: 2\n\n"
 * test_fraction: 0.5      # for rows without "split": a stable hash of the row decides
 * }
 * {@snippet :
 * Task t = Task.load(Path.of("tasks/gsm8k-mini.yaml"));
 * List<TaskRow> held = t.rows(TaskSplit.TEST);
 * }
 *
 * @param file           the YAML file
 * @param maxNewTokens   generation budget (generate tasks)
 * @param stop           strings that end a generation (the text is cut before the first one)
 * @param prefix         few-shot text put before every prompt (or text, for loglik)
 * @param testFraction   share of unlabeled rows hashed into the test split; NaN when the file sets none
 * @param harness        for an lm-evaluation-harness task file, its compiled documents (then {@code rows} is
 *                       empty); null for evomerge's own format
 */
public record Task(String name, TaskType type, Path file, Path data, Metric metric, int maxNewTokens,
                   List<String> stop, String prefix, double testFraction, List<TaskRow> rows, HarnessTask harness) {

    public Task {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(prefix, "prefix");
        stop = List.copyOf(stop);
        rows = List.copyOf(rows);
        if (metric.type() != type) {
            throw new IllegalArgumentException("metric " + metric.label() + " does not score " + type.label() + " tasks");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max_new_tokens must be >= 1, got " + maxNewTokens);
        }
        for (TaskRow r : rows) {
            boolean fits = switch (type) {
                case GENERATE -> r instanceof TaskRow.Generate;
                case CHOICE -> r instanceof TaskRow.Choice;
                case LOGLIK -> r instanceof TaskRow.Loglik;
            };
            if (!fits) {
                throw new IllegalArgumentException("a " + type.label() + " task holds a " + r.getClass().getSimpleName() + " row");
            }
        }
    }

    /**
     * Reads a task YAML and its data; any problem is a {@link TaskException} naming file and line. Both
     * evomerge's own format and lm-evaluation-harness task files are read (the data directory for the latter
     * from {@code EVOMERGE_DATA_DIR}).
     */
    public static Task load(Path yaml) {
        return load(yaml, HarnessTask.Options.defaults());
    }

    /** As {@link #load(Path)}, with lm-evaluation-harness files compiled with {@code options}. */
    public static Task load(Path yaml, HarnessTask.Options options) {
        if (TaskFiles.isHarnessFile(yaml)) {
            return fromHarness(HarnessTask.compile(HarnessSpec.load(yaml), options));
        }
        return TaskFiles.load(yaml);
    }

    /** A task over an lm-evaluation-harness task's compiled documents. */
    public static Task fromHarness(HarnessTask h) {
        TaskType type = switch (h.spec().outputType()) {
            case GENERATE_UNTIL -> TaskType.GENERATE;
            case MULTIPLE_CHOICE -> TaskType.CHOICE;
            case LOGLIKELIHOOD, LOGLIKELIHOOD_ROLLING -> TaskType.LOGLIK;
        };
        return new Task(h.name(), type, h.spec().file(), h.spec().file(), Metric.defaultFor(type), h.spec().maxGenToks(),
                h.spec().until(), "", Double.NaN, List.of(), h);
    }

    /**
     * The same task scored by {@code metric} (lm-evaluation-harness's name, e.g. {@code acc_norm,none}); for
     * evomerge's own format only its own metric's name is accepted. Null keeps the task's default.
     */
    public Task withScoreMetric(String metric) {
        if (metric == null) {
            return this;
        }
        if (harness == null) {
            if (!metric.equals(this.metric.label())) {
                throw new IllegalArgumentException("task " + name + " is scored by " + this.metric.label() + ", not " + metric);
            }
            return this;
        }
        return new Task(name, type, file, data, this.metric, maxNewTokens, stop, prefix, testFraction, rows,
                harness.withFitnessMetric(metric));
    }

    /** Whether this task came from an lm-evaluation-harness task file. */
    public boolean isHarness() {
        return harness != null;
    }

    /**
     * SHA-256 (hex) of what decides a score: name, type, metric, generation settings, prefix and every row
     * with its split; not the file paths or line numbers. Results keyed by it stay valid across moves.
     */
    public String contentHash() {
        List<String> parts = new ArrayList<>(List.of(name, type.label(), metric.label(),
                Integer.toString(maxNewTokens), prefix, String.valueOf(stop.size())));
        parts.addAll(stop);
        if (harness != null) {
            parts.addAll(HarnessScorer.metricKeys(harness.spec()));
            for (HarnessDoc d : harness.search()) {
                parts.add("search");
                parts.addAll(harnessParts(d));
            }
            for (HarnessDoc d : harness.test()) {
                parts.add("test");
                parts.addAll(harnessParts(d));
            }
        }
        for (TaskRow r : rows) {
            parts.add(r.split().label());
            switch (r) {
                case TaskRow.Generate g -> parts.addAll(List.of(g.prompt(), g.answer()));
                case TaskRow.Choice c -> {
                    parts.addAll(List.of(c.prompt(), Integer.toString(c.answer()), String.valueOf(c.choices().size())));
                    parts.addAll(c.choices());
                }
                case TaskRow.Loglik l -> parts.add(l.text());
            }
        }
        return TaskFiles.sha256Hex(TaskFiles.canonical(parts.toArray(String[]::new)));
    }

    private static List<String> harnessParts(HarnessDoc d) {
        List<String> p = new ArrayList<>(List.of(d.context(), String.valueOf(d.continuations().size())));
        p.addAll(d.continuations());
        p.add(d.gold().toString());
        p.add(String.valueOf(d.targets().size()));
        p.addAll(d.targets());
        return p;
    }

    /** The rows of {@code split}, in file order. */
    public List<TaskRow> rows(TaskSplit split) {
        return rows.stream().filter(r -> split.includes(r.split())).toList();
    }
}
