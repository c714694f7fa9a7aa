package dev.evomerge.docs;

import dev.evomerge.eval.task.Task;
import dev.evomerge.optimizer.config.SearchConfig;
import dev.evomerge.recipe.RecipeParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Loads the configuration examples of one document with the loaders the program uses.
 *
 * <p>A YAML block says what it is after the language on its fence line: {@code ```yaml recipe},
 * {@code ```yaml search-config}, {@code ```yaml task}, or {@code ```yaml fragment} for a piece that does not
 * stand alone (never loaded). A block may add {@code file=PATH}: it is then written at that path in a scratch
 * folder shared by the document's blocks, so a search config can name a task file and a task its rows
 * ({@code ```jsonl file=rows.jsonl}) shown elsewhere on the page. Blocks are written before any is loaded.
 */
final class ExampleCheck {

    /** What a YAML block can declare itself to be. */
    enum Kind {
        RECIPE, SEARCH_CONFIG, TASK, FRAGMENT;

        static Optional<Kind> of(String word) {
            return Stream.of(values()).filter(k -> k.label().equals(word)).findFirst();
        }

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private ExampleCheck() {
    }

    /** Problems with the examples of {@code doc}. */
    static List<Problem> check(MarkdownDoc doc) {
        List<Problem> problems = new ArrayList<>();
        Path scratch;
        try {
            scratch = Files.createTempDirectory("evomerge-docs-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            List<Placed> placed = new ArrayList<>();
            int n = 0;
            for (MarkdownDoc.Block b : doc.blocks()) {
                boolean yaml = b.language().equals("yaml") || b.language().equals("yml");
                Optional<String> file = attribute(b, "file=");
                Optional<Kind> kind = b.attributes().stream().map(Kind::of).flatMap(Optional::stream).findFirst();
                if (yaml && kind.isEmpty()) {
                    problems.add(new Problem(doc.file(), b.line(), "a yaml block says what it is after 'yaml':"
                            + " recipe, search-config, task or fragment"));
                    continue;
                }
                if (file.isEmpty() && (kind.isEmpty() || kind.get() == Kind.FRAGMENT)) {
                    continue;
                }
                Path at = scratch.resolve(file.orElse("example-" + (++n) + ".yaml")).normalize();
                if (!at.startsWith(scratch)) {
                    problems.add(new Problem(doc.file(), b.line(), "file= must stay below the page's folder: "
                            + file.get()));
                    continue;
                }
                Files.createDirectories(at.getParent());
                Files.writeString(at, b.text(), StandardCharsets.UTF_8);
                kind.filter(k -> k != Kind.FRAGMENT).ifPresent(k -> placed.add(new Placed(b, k, at)));
            }
            for (Placed p : placed) {
                load(p).ifPresent(m -> problems.add(new Problem(doc.file(), p.block().line(),
                        p.kind().label() + " example does not load: " + m.replace(scratch.toString() + "/", ""))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(scratch);
        }
        return problems;
    }

    private record Placed(MarkdownDoc.Block block, Kind kind, Path file) {
    }

    private static Optional<String> load(Placed p) {
        try {
            switch (p.kind()) {
                case RECIPE -> RecipeParser.parse(p.file());
                case SEARCH_CONFIG -> SearchConfig.load(p.file());
                case TASK -> Task.load(p.file());
                case FRAGMENT -> {
                }
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            return Optional.of(m.lines().findFirst().orElse(m));
        }
    }

    private static Optional<String> attribute(MarkdownDoc.Block b, String prefix) {
        return b.attributes().stream().filter(a -> a.startsWith(prefix)).map(a -> a.substring(prefix.length()))
                .findFirst();
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // A scratch folder in the temp directory; nothing depends on its removal.
        }
    }
}
