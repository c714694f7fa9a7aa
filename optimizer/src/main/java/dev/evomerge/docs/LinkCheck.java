package dev.evomerge.docs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Checks that every relative link of a document resolves: the file or folder exists (relative to the
 * document's folder), and a {@code #anchor} into a Markdown file names one of its headings. Links with a scheme
 * ({@code https:}, {@code mailto:}) are not followed.
 */
final class LinkCheck {

    private final Map<Path, List<String>> anchors = new HashMap<>();
    private final Function<Path, MarkdownDoc> reader;

    LinkCheck(Function<Path, MarkdownDoc> reader) {
        this.reader = reader;
    }

    List<Problem> check(MarkdownDoc doc) {
        List<Problem> problems = new ArrayList<>();
        for (MarkdownDoc.Link link : doc.links()) {
            String target = link.target();
            if (target.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                continue;
            }
            int hash = target.indexOf('#');
            String pathPart = hash < 0 ? target : target.substring(0, hash);
            String anchor = hash < 0 ? null : target.substring(hash + 1);
            Path file = pathPart.isEmpty() ? doc.file()
                    : doc.file().toAbsolutePath().getParent().resolve(decode(pathPart)).normalize();
            if (!Files.exists(file)) {
                problems.add(new Problem(doc.file(), link.line(), "link to " + target + ": " + pathPart
                        + " does not exist"));
                continue;
            }
            if (anchor != null && !anchor.isEmpty() && file.toString().endsWith(".md") && Files.isRegularFile(file)) {
                List<String> known = anchors.computeIfAbsent(file.toAbsolutePath(),
                        f -> f.equals(doc.file().toAbsolutePath()) ? doc.anchors() : reader.apply(f).anchors());
                if (!known.contains(anchor)) {
                    problems.add(new Problem(doc.file(), link.line(), "link to " + target + ": no heading gives #"
                            + anchor));
                }
            }
        }
        return problems;
    }

    private static String decode(String path) {
        return java.net.URLDecoder.decode(path.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }
}
