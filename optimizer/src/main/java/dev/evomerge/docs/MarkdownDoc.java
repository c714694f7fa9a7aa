package dev.evomerge.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a Markdown file that can drift from the code: fenced code blocks (with their info string),
 * inline code spans, links and headings, each with the line it starts on. Links and spans inside fenced blocks
 * are not links or spans.
 *
 * @param file      where the text came from
 * @param blocks    fenced code blocks, in order
 * @param spans     inline code spans outside fenced blocks
 * @param links     link targets outside code ({@code [text](target)}, {@code ![alt](target)}, {@code [ref]: target})
 * @param headings  heading texts (for anchors)
 */
public record MarkdownDoc(Path file, List<Block> blocks, List<Span> spans, List<Link> links, List<String> headings) {

    /**
     * A fenced block: {@code line} is its opening fence's line, {@code language} the info string's first word,
     * {@code attributes} the rest.
     */
    public record Block(int line, String language, List<String> attributes, String text) {
        public Block {
            attributes = List.copyOf(attributes);
        }

        /** The block's lines, each with its line number in the file. */
        public List<Numbered> lines() {
            List<Numbered> out = new ArrayList<>();
            String[] parts = text.split("\n", -1);
            for (int i = 0; i < parts.length; i++) {
                if (i < parts.length - 1 || !parts[i].isEmpty()) {
                    out.add(new Numbered(line + 1 + i, parts[i]));
                }
            }
            return out;
        }
    }

    /** A line of text and its number. */
    public record Numbered(int line, String text) {
    }

    /** An inline code span. */
    public record Span(int line, String text) {
    }

    /** A link's target as written. */
    public record Link(int line, String target) {
    }

    public MarkdownDoc {
        blocks = List.copyOf(blocks);
        spans = List.copyOf(spans);
        links = List.copyOf(links);
        headings = List.copyOf(headings);
    }

    private static final Pattern FENCE = Pattern.compile("^( {0,3})(`{3,}|~{3,})\\s*(.*)$");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern SPAN = Pattern.compile("(`+)(.+?)\\1");
    private static final Pattern INLINE_LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE_LINK = Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s+<?(\\S+?)>?(?:\\s+.*)?$");

    public static MarkdownDoc read(Path file) {
        try {
            return parse(file, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static MarkdownDoc parse(Path file, String text) {
        List<Block> blocks = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        List<Link> links = new ArrayList<>();
        List<String> headings = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher fence = FENCE.matcher(lines[i]);
            if (fence.matches()) {
                String marker = fence.group(2);
                String[] info = fence.group(3).isBlank() ? new String[0] : fence.group(3).trim().split("\\s+");
                int start = i + 1; // the fence's own line, counted from 1
                StringBuilder body = new StringBuilder();
                int j = i + 1;
                // A fence closes at a line of the same character, at least as long, and nothing after it.
                while (j < lines.length && !lines[j].strip().matches(Pattern.quote(marker.substring(0, 1)) + "{"
                        + marker.length() + ",}")) {
                    body.append(lines[j]).append('\n');
                    j++;
                }
                String language = info.length == 0 ? "" : info[0].toLowerCase(Locale.ROOT);
                blocks.add(new Block(start, language, info.length <= 1 ? List.of()
                        : List.of(info).subList(1, info.length), body.toString()));
                i = j;
                continue;
            }
            int number = i + 1;
            Matcher h = HEADING.matcher(lines[i]);
            if (h.matches()) {
                headings.add(h.group(1));
            }
            Matcher ref = REFERENCE_LINK.matcher(lines[i]);
            if (ref.matches()) {
                links.add(new Link(number, ref.group(1)));
                continue;
            }
            // Code spans hide what looks like a link inside them.
            StringBuilder outsideSpans = new StringBuilder();
            Matcher span = SPAN.matcher(lines[i]);
            int last = 0;
            while (span.find()) {
                spans.add(new Span(number, span.group(2).strip()));
                outsideSpans.append(lines[i], last, span.start()).append(' ');
                last = span.end();
            }
            outsideSpans.append(lines[i].substring(last));
            Matcher link = INLINE_LINK.matcher(outsideSpans);
            while (link.find()) {
                links.add(new Link(number, link.group(1)));
            }
        }
        return new MarkdownDoc(file, blocks, spans, links, headings);
    }

    /**
     * The anchors the headings get where Markdown is rendered on GitHub: lower case, punctuation other than
     * {@code -} and {@code _} dropped, spaces to {@code -}, and {@code -1}, {@code -2} after repeats.
     */
    public List<String> anchors() {
        List<String> out = new ArrayList<>();
        for (String h : headings) {
            String plain = h.replaceAll("`", "").replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
            String slug = plain.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            String unique = slug;
            for (int n = 1; out.contains(unique); n++) {
                unique = slug + "-" + n;
            }
            out.add(unique);
        }
        return out;
    }
}
