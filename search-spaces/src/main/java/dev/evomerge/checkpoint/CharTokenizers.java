package dev.evomerge.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-made character-level {@code tokenizer.json} for tests and synthetic models: one token per character (a WordLevel model
 * over a regex split that isolates every character), {@code <s>} prepended by the post-processor, and a
 * Fuse decoder that concatenates tokens back into the text. 64 ids, so it fits a tiny test model.
 */
public final class CharTokenizers {

    public static final int UNK = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    public static final int VOCAB = 64;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The vocabulary, index = id. */
    public static List<String> vocabulary() {
        List<String> v = new ArrayList<>(List.of("<unk>", "<s>", "</s>", " ", "\n"));
        for (char c = '0'; c <= '9'; c++) {
            v.add(String.valueOf(c));
        }
        v.addAll(List.of(".", "-", ":", "?", ","));
        for (char c = 'a'; c <= 'z'; c++) {
            v.add(String.valueOf(c));
        }
        for (char c = 'A'; v.size() < VOCAB; c++) {
            v.add(String.valueOf(c));
        }
        return v;
    }

    /** Writes {@code dir/tokenizer.json} over {@link #vocabulary()} and returns {@code dir}. */
    public static Path write(Path dir) {
        return write(dir, vocabulary());
    }

    /**
     * Writes {@code dir/tokenizer.json} over {@code vocab} (index = id; ids 0-2 must be {@code <unk>},
     * {@code <s>}, {@code </s>}, every other entry one character) and returns {@code dir}.
     */
    public static Path write(Path dir, List<String> vocab) {
        if (vocab.size() < 3 || !vocab.subList(0, 3).equals(List.of("<unk>", "<s>", "</s>"))) {
            throw new IllegalArgumentException("a character vocabulary starts with <unk>, <s>, </s>");
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < 3; i++) {
            ObjectNode t = added.addObject();
            t.put("id", i);
            t.put("content", vocab.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Split");
        pre.putObject("pattern").put("Regex", "(?m).");
        pre.put("behavior", "Isolated");
        pre.put("invert", false);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = post.putObject("special_tokens").putObject("<s>");
        bos.put("id", "<s>");
        bos.putArray("ids").add(BOS);
        bos.putArray("tokens").add("<s>");
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) {
            v.put(vocab.get(i), i);
        }
        model.put("unk_token", "<unk>");
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer.json").toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private CharTokenizers() {
    }
}
