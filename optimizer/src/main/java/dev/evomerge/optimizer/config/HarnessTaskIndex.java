package dev.evomerge.optimizer.config;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Finds an lm-evaluation-harness task file by its {@code task:} name under task search folders, as
 * mergekit-evolve's {@code --task-search-path} does: every {@code .yaml}/{@code .yml} file below them, in path
 * order; the first whose top-level {@code task} is the name wins.
 */
final class HarnessTaskIndex {

    static Optional<Path> find(List<Path> folders, String name) {
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                throw new IllegalArgumentException("--task-search-path " + folder + ": not a directory");
            }
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                        .sorted().toList()) {
                    if (name.equals(taskName(p))) {
                        return Optional.of(p.toAbsolutePath().normalize());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Optional.empty();
    }

    // Composed, not constructed: task files carry tags such as !function, which only the task loader judges.
    private static String taskName(Path file) {
        try {
            var root = new Yaml(new LoaderOptions()).compose(new StringReader(Files.readString(file)));
            if (root instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("task")
                            && t.getValueNode() instanceof ScalarNode v) {
                        return v.getValue();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not a readable YAML mapping: not a task file.
        }
        return null;
    }

    private HarnessTaskIndex() {
    }
}
