package dev.evomerge.docs;

import dev.evomerge.cli.Main;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * Checks that the documentation still describes the program: every evomerge command shown parses against the
 * real command line ({@link CommandCheck}), every relative link resolves ({@link LinkCheck}), and every
 * configuration example loads ({@link ExampleCheck}). Prints one {@code file:line: problem} line per problem
 * and exits 1 if there is any. Run by {@code scripts/check-docs}.
 *
 * <p>Commands are read from shell blocks ({@code bash}, {@code sh}, {@code shell}, {@code console} and blocks
 * with no language; where a block has {@code $ } prompts, only the prompted lines are commands) and from
 * inline code spans that start with a command.
 *
 * {@snippet :
 * List<Problem> problems = DocsCheck.check(root, DocsCheck.documents(root));
 * }
 */
public final class DocsCheck {

    private static final Set<String> SHELL_LANGUAGES = Set.of("", "bash", "sh", "shell", "console", "zsh");

    private DocsCheck() {
    }

    /** The documents checked by default: README.md, docs/**.md and results/reference/NAME/README.md. */
    public static List<Path> documents(Path root) {
        List<Path> docs = new ArrayList<>();
        if (Files.isRegularFile(root.resolve("README.md"))) {
            docs.add(root.resolve("README.md"));
        }
        docs.addAll(markdownUnder(root.resolve("docs"), Integer.MAX_VALUE));
        Path reference = root.resolve("results/reference");
        markdownUnder(reference, 2).stream().filter(p -> p.getFileName().toString().equals("README.md"))
                .filter(p -> p.getParent().getParent().equals(reference)).forEach(docs::add);
        return docs;
    }

    private static List<Path> markdownUnder(Path dir, int depth) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir, depth)) {
            return files.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every problem in {@code docs}; {@code root} is the repository (where {@code scripts/} lives). */
    public static List<Problem> check(Path root, List<Path> docs) {
        CommandCheck commands = new CommandCheck(new CommandLine(new Main()).getCommandSpec(), root);
        LinkCheck links = new LinkCheck(MarkdownDoc::read);
        List<Problem> problems = new ArrayList<>();
        for (Path file : docs) {
            MarkdownDoc doc = MarkdownDoc.read(file);
            problems.addAll(commandProblems(doc, commands));
            problems.addAll(links.check(doc));
            problems.addAll(ExampleCheck.check(doc));
        }
        problems.sort(java.util.Comparator.comparing((Problem p) -> p.file().toString()).thenComparing(Problem::line));
        return problems;
    }

    static List<Problem> commandProblems(MarkdownDoc doc, CommandCheck commands) {
        List<Problem> problems = new ArrayList<>();
        for (MarkdownDoc.Block b : doc.blocks()) {
            if (!SHELL_LANGUAGES.contains(b.language())) {
                continue;
            }
            boolean prompted = b.lines().stream().anyMatch(l -> l.text().stripLeading().startsWith("$ "));
            for (MarkdownDoc.Numbered line : joinContinuations(b.lines())) {
                String text = line.text().stripLeading();
                if (prompted) {
                    if (!text.startsWith("$ ")) {
                        continue; // output
                    }
                    text = text.substring(2);
                } else if (b.language().isEmpty() && !commands.isCommand(text)) {
                    continue; // a block of output or prose
                }
                for (String m : commands.check(text)) {
                    problems.add(new Problem(doc.file(), line.line(), m));
                }
            }
        }
        for (MarkdownDoc.Span span : doc.spans()) {
            if (commands.isCommand(span.text())) {
                for (String m : commands.check(span.text())) {
                    problems.add(new Problem(doc.file(), span.line(), m));
                }
            }
        }
        return problems;
    }

    /** Lines ending in a backslash joined with the next, numbered as their first line. */
    private static List<MarkdownDoc.Numbered> joinContinuations(List<MarkdownDoc.Numbered> lines) {
        List<MarkdownDoc.Numbered> out = new ArrayList<>();
        StringBuilder pending = null;
        int first = 0;
        for (MarkdownDoc.Numbered l : lines) {
            String t = l.text();
            if (pending == null) {
                pending = new StringBuilder();
                first = l.line();
            }
            if (t.endsWith("\\")) {
                pending.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            pending.append(t);
            out.add(new MarkdownDoc.Numbered(first, pending.toString()));
            pending = null;
        }
        if (pending != null) {
            out.add(new MarkdownDoc.Numbered(first, pending.toString()));
        }
        return out;
    }

    /** {@code DocsCheck ROOT [FILE.md...]}: checks the given documents, or the default ones under ROOT. */
    public static void main(String[] args) {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        List<Path> docs = args.length > 1
                ? Stream.of(args).skip(1).map(a -> root.resolve(a).normalize()).toList()
                : documents(root);
        List<Problem> problems = check(root, docs);
        problems.forEach(p -> System.out.println(p.format(root)));
        System.err.printf("check-docs: %d document(s), %d problem(s)%n", docs.size(), problems.size());
        System.exit(problems.isEmpty() ? 0 : 1);
    }
}
