package dev.evomerge.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.results.RunDirectory;
import dev.evomerge.results.RunJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A run's history as two runs of one search must agree on it: every field but timings and who scored. */
final class ClusterSearchHistory {

    private ClusterSearchHistory() {
    }

    static List<String> of(Path runDir) {
        List<String> out = new ArrayList<>();
        for (String line : RunDirectory.open(runDir).historyLines()) {
            try {
                ObjectNode n = (ObjectNode) RunJson.mapper().readTree(line);
                n.remove("seconds");
                n.remove("worker");
                out.add(n.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
