package dev.evomerge.eval.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A model's tokenizer, read offline from its {@code tokenizer.json} through DJL's Hugging Face tokenizers
 * (native code, so it is {@link AutoCloseable}). End-of-sequence ids come from the model's
 * {@code generation_config.json} or {@code config.json} when they name one.
 *
 * {@snippet :
 * try (ModelTokenizer tok = ModelTokenizer.load(Path.of("models/llama"))) {   // dir or tokenizer.json
 *     int[] ids = tok.encode("Hello world");             // with the model's special tokens (BOS ...)
 *     int[] bare = tok.encode(" more text", false);      // a continuation: no special tokens
 *     String text = tok.decode(ids);
 * }
 * }
 */
public final class ModelTokenizer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private final int[] eosTokenIds;

    private ModelTokenizer(HuggingFaceTokenizer tokenizer, Path file, int[] eosTokenIds) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.eosTokenIds = eosTokenIds;
    }

    /**
     * Loads {@code path/tokenizer.json} when {@code path} is a model directory, else {@code path} itself.
     * A missing or unreadable file fails with a one-line message naming it, before any model work starts.
     */
    public static ModelTokenizer load(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": tokenizer file not found");
        }
        HuggingFaceTokenizer tokenizer;
        // No truncation and no padding: scoring needs every token, and batching pads on its own.
        Map<String, String> options = Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(file, options);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": cannot load tokenizer: " + oneLine(e), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return new ModelTokenizer(tokenizer, file, eosIds(dir));
    }

    /** The file this tokenizer was read from. */
    public Path file() {
        return file;
    }

    /** Token ids of {@code text} with the special tokens the tokenizer's post-processor adds (BOS ...). */
    public int[] encode(String text) {
        return encode(text, true);
    }

    /** Token ids of {@code text}; without special tokens when {@code addSpecialTokens} is false. */
    public int[] encode(String text, boolean addSpecialTokens) {
        Encoding e = tokenizer.encode(text, addSpecialTokens, false);
        return toInts(e.getIds());
    }

    /** The text of {@code ids}, special tokens dropped. */
    public String decode(int[] ids) {
        return decode(ids, true);
    }

    /** The text of {@code ids}, keeping special tokens when {@code skipSpecialTokens} is false. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, skipSpecialTokens);
    }

    /** End-of-sequence ids named by the model directory's generation/model config; empty when none. */
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    // generation_config.json overrides config.json, as in transformers' generate(); either may hold an
    // int or a list (Llama 3 instruct stops on several ids).
    private static int[] eosIds(Path dir) {
        Set<Integer> ids = new LinkedHashSet<>();
        for (String name : new String[] {"generation_config.json", "config.json"}) {
            Path f = dir.resolve(name);
            if (!Files.isRegularFile(f)) {
                continue;
            }
            JsonNode eos;
            try {
                eos = JSON.readTree(f.toFile()).path("eos_token_id");
            } catch (IOException e) {
                throw new IllegalArgumentException(f + ": cannot read eos_token_id: " + oneLine(e), e);
            }
            if (eos.isInt()) {
                ids.add(eos.intValue());
            } else if (eos.isArray()) {
                eos.forEach(n -> ids.add(n.intValue()));
            }
            if (!ids.isEmpty()) {
                break;
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public String toString() {
        return "ModelTokenizer[" + file + ", eos " + Arrays.toString(eosTokenIds) + "]";
    }
}
