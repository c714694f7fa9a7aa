package dev.evomerge.optimizer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.results.TaskMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of what crosses the cluster, inside {@link PayloadSigner} envelopes: strings only, so nothing on the wire
 * is ever Java-deserialized. Doubles are written in their shortest exact form, so scores arrive bit for bit.
 */
final class WireFormat {

    static final String TASK = "task";
    static final String READY = "ready";
    static final String SCORED = "scored";
    static final String FAILED = "failed";

    private static final ObjectMapper JSON = new ObjectMapper();

    private WireFormat() {
    }

    static String kind(WorkerMessage m) {
        return switch (m) {
            case WorkerMessage.Ready r -> READY;
            case WorkerMessage.Scored s -> SCORED;
            case WorkerMessage.Failed f -> FAILED;
        };
    }

    static String job(CandidateJob job) {
        ObjectNode n = JSON.createObjectNode();
        n.put("recipe_hash", job.recipeHash());
        n.put("recipe", job.recipeYaml());
        ObjectNode merged = n.putObject("merged_models");
        job.mergedModels().forEach(merged::put);
        n.put("working_dir", job.workingDir());
        CandidateJob.TaskSettings t = job.tasks();
        ArrayNode tasks = n.putArray("tasks");
        t.files().forEach(tasks::add);
        n.put("limit", t.limit());
        ArrayNode metrics = n.putArray("task_metrics");
        t.metrics().forEach(metrics::add);
        n.put("data_dir", t.dataDir());
        n.put("num_fewshot", t.numFewshot());
        n.put("chat_template_dir", t.chatTemplateDir());
        n.put("fewshot_as_multiturn", t.fewshotAsMultiturn());
        return n.toString();
    }

    static CandidateJob job(String body) throws IOException {
        JsonNode n = JSON.readTree(body);
        Map<String, String> merged = new LinkedHashMap<>();
        n.path("merged_models").properties().forEach(e -> merged.put(e.getKey(), e.getValue().asText()));
        List<String> tasks = new ArrayList<>();
        n.path("tasks").forEach(t -> tasks.add(t.asText()));
        List<String> metrics = new ArrayList<>();
        n.path("task_metrics").forEach(t -> metrics.add(t.asText()));
        CandidateJob.TaskSettings settings;
        try {
            settings = new CandidateJob.TaskSettings(tasks, metrics, n.path("limit").asInt(0),
                    n.path("data_dir").asText(""), n.path("num_fewshot").asInt(-1),
                    n.path("chat_template_dir").asText(""), n.path("fewshot_as_multiturn").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        return new CandidateJob(text(n, "recipe_hash"), text(n, "recipe"), merged, text(n, "working_dir"), settings);
    }

    static String message(WorkerMessage m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("worker_id", m.workerId());
        n.put("address", m.address());
        switch (m) {
            case WorkerMessage.Ready r -> n.put("seq", r.seq());
            case WorkerMessage.Scored s -> {
                n.put("recipe_hash", s.recipeHash());
                n.put("seconds", s.seconds());
                ArrayNode tasks = n.putArray("tasks");
                for (TaskScore t : s.tasks()) {
                    ObjectNode o = tasks.addObject();
                    o.put("name", t.name());
                    o.put("score", t.score());
                    ArrayNode ex = o.putArray("examples");
                    for (double x : t.examples()) {
                        ex.add(x);
                    }
                    if (t.metrics() != null) {
                        o.put("metric", t.metrics().metric());
                        ObjectNode values = o.putObject("metrics");
                        t.metrics().values().forEach(values::put);
                    }
                }
            }
            case WorkerMessage.Failed f -> {
                n.put("recipe_hash", f.recipeHash());
                n.put("reason", f.reason());
            }
        }
        return n.toString();
    }

    static WorkerMessage message(String kind, String body) throws IOException {
        JsonNode n = JSON.readTree(body);
        String id = text(n, "worker_id");
        String address = text(n, "address");
        return switch (kind) {
            case READY -> new WorkerMessage.Ready(id, address, n.path("seq").asLong());
            case SCORED -> {
                List<TaskScore> tasks = new ArrayList<>();
                for (JsonNode t : n.path("tasks")) {
                    JsonNode ex = t.path("examples");
                    double[] examples = new double[ex.size()];
                    for (int i = 0; i < examples.length; i++) {
                        examples[i] = ex.get(i).asDouble();
                    }
                    tasks.add(new TaskScore(text(t, "name"), t.path("score").asDouble(), examples, metrics(t)));
                }
                yield new WorkerMessage.Scored(id, address, text(n, "recipe_hash"), n.path("seconds").asDouble(), tasks);
            }
            case FAILED -> new WorkerMessage.Failed(id, address, text(n, "recipe_hash"), text(n, "reason"));
            default -> throw new IOException("unknown message kind '" + kind + "'");
        };
    }

    /** A task's metrics as a worker sent them; null from a worker that sent none. */
    private static TaskMetrics metrics(JsonNode task) throws IOException {
        if (!task.has("metric")) {
            return null;
        }
        Map<String, Double> values = new LinkedHashMap<>();
        task.path("metrics").properties().forEach(e -> values.put(e.getKey(), e.getValue().asDouble()));
        try {
            return new TaskMetrics(text(task, "metric"), values);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
    }

    private static String text(JsonNode n, String key) throws IOException {
        JsonNode v = n == null ? null : n.get(key);
        if (v == null || !v.isTextual()) {
            throw new IOException("'" + key + "' missing");
        }
        return v.asText();
    }
}
