package dev.evomerge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.optimizer.config.ClusterSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A run's cluster, as launched: the settings (config block with the flags put in) and the run's id, which every
 * candidate's and result's MAC covers. Kept in {@code launch.json}, so that {@code resume} joins the same cluster
 * under the same id. The secret itself is never written, only the file it is read from.
 *
 * @param settings the cluster settings ({@link ClusterSettings#NONE}: no cluster)
 * @param runId the run's id
 */
record ClusterPlan(ClusterSettings settings, String runId) {

    static final ClusterPlan NONE = new ClusterPlan(ClusterSettings.NONE, "");

    /** A new run's plan, with a fresh id. */
    static ClusterPlan forNewRun(ClusterSettings settings) {
        return new ClusterPlan(settings, UUID.randomUUID().toString());
    }

    boolean enabled() {
        return settings.enabled();
    }

    ObjectNode toJson(ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("run_id", runId);
        settings.members().forEach(n.putArray("members")::add);
        n.put("bind", settings.bind());
        n.put("secret_file", settings.secretFile() == null ? null : settings.secretFile().toString());
        n.put("workers", settings.workers());
        n.put("local_worker", settings.localWorker());
        n.put("wait_for_workers_s", settings.waitForWorkersSeconds());
        n.put("candidate_timeout_s", settings.candidateTimeoutSeconds());
        return n;
    }

    /** The plan stored in a launch.json node ({@link #NONE} when it has none). */
    static ClusterPlan fromJson(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return NONE;
        }
        List<String> members = new ArrayList<>();
        n.path("members").forEach(m -> members.add(m.asText()));
        return new ClusterPlan(new ClusterSettings(members, n.hasNonNull("bind") ? n.get("bind").asText() : null,
                n.hasNonNull("secret_file") ? Path.of(n.get("secret_file").asText()) : null, n.path("workers").asInt(0),
                n.path("local_worker").asBoolean(false),
                n.path("wait_for_workers_s").asLong(ClusterSettings.DEFAULT_WAIT_SECONDS),
                n.path("candidate_timeout_s").asLong(0)), n.path("run_id").asText(""));
    }
}
