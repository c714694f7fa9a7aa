package dev.evomerge.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a merged model directory that Hugging Face loaders accept, without holding tensors on the heap.
 *
 * <p>Everything goes into a hidden sibling directory ({@code .NAME.tmp-RANDOM} next to {@code out}); only
 * {@link #commit()} renames it to {@code out}. Closing without committing deletes it, so a failed merge
 * leaves nothing at {@code out}. Safetensors headers precede the data, so the files are planned up front by
 * {@link #layout}: it writes the headers, sizes and maps the files, and {@link #target} then hands out the
 * writable slice of each tensor for the merge kernels to fill in place (from any thread), or {@link #write}
 * puts a tensor's bytes there in one positioned write.
 *
 * {@snippet :
 * try (CheckpointWriter w = CheckpointWriter.create(out)) {
 *     w.layout(specs, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
 *     for (TensorSpec s : specs) {
 *         MemorySegment dst = w.target(s.name());
 *         // ... write s.byteSize() bytes of s.dtype() into dst ...
 *     }
 *     w.writeConfig(base.config(), DType.BF16);
 *     w.copyTokenizer(base.dir());
 *     w.writeModelCard(recipeYaml);
 *     w.commit();   // out appears only now
 * }
 * }
 */
public final class CheckpointWriter implements AutoCloseable {

    /** Shard size above which weights are split, as {@code save_pretrained}'s default of "5GB". */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    /** Files {@link #copyTokenizer} copies when they exist. */
    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "tokenizer.model", "vocab.json", "merges.txt", "added_tokens.json",
            "generation_config.json");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern FENCES = Pattern.compile("`{3,}");

    private enum State { OPEN, LAID_OUT, FINISHED, COMMITTED, CLOSED }

    /** A tensor's shard file, the offset of its first byte there, and its writable slice of the mapping. */
    private record Place(Path file, FileChannel channel, long offset, MemorySegment slice) {
    }

    private final Path out;
    private final boolean overwrite;
    private final Path work;
    private final Arena arena = Arena.ofShared();
    private final List<MemorySegment> mappings = new ArrayList<>();
    /** Where each tensor's bytes go, for {@link #target} and {@link #write}. */
    private final Map<String, Place> places = new HashMap<>();
    /** The shards, open for {@link #write} until {@link #finish}. */
    private final List<FileChannel> channels = new ArrayList<>();
    private final List<String> shardFiles = new ArrayList<>();
    private State state = State.OPEN;

    /** The highest directory {@link #create} made for {@code out}'s parent, removed again unless committed. */
    private final Path createdParents;

    private CheckpointWriter(Path out, boolean overwrite, Path work, Path createdParents) {
        this.out = out;
        this.overwrite = overwrite;
        this.work = work;
        this.createdParents = createdParents;
    }

    /** A writer for {@code out}, which must not exist yet. */
    public static CheckpointWriter create(Path out) {
        return create(out, false);
    }

    /**
     * A writer for {@code out}. If {@code out} exists it is refused unless {@code overwrite}, in which case
     * {@link #commit()} swaps the new directory in and only then deletes the old one.
     */
    public static CheckpointWriter create(Path out, boolean overwrite) {
        Path target = out.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null || target.getFileName() == null) {
            throw new CheckpointException(out, "cannot write a model to a file-system root");
        }
        // Fail before a long merge, not after it.
        if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new CheckpointException(out, "output already exists (choose another path or overwrite it)");
        }
        Path missing = null;
        for (Path p = parent; p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) {
                break;
            }
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new CheckpointException(out, p + " is not a directory");
            }
            missing = p;
        }
        try {
            Files.createDirectories(parent);
            // createDirectory, unlike createTempDirectory (always 0700), leaves the mode to the umask, so the
            // finished model is as readable as any other directory the user makes.
            Path work = parent.resolve("." + target.getFileName() + ".tmp-"
                    + Long.toUnsignedString(RANDOM.nextLong(), 36));
            Files.createDirectory(work);
            return new CheckpointWriter(target, overwrite, work, missing);
        } catch (IOException e) {
            removeEmpty(missing, parent);
            throw new CheckpointException(out, "cannot create a working directory next to it: " + reason(e), e);
        }
    }

    /** An I/O failure in words: the JDK's exceptions often carry only the path as their message. */
    private static String reason(IOException e) {
        return switch (e) {
            case AccessDeniedException a -> "permission denied";
            case FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.toString();
        };
    }

    /** Removes {@code from} and its ancestors up to {@code top}, as long as they are empty. */
    private static void removeEmpty(Path top, Path from) {
        if (top == null) {
            return;
        }
        for (Path p = from; p != null && p.startsWith(top); p = p.getParent()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                return;   // not empty (something else was put there meanwhile): leave it
            }
        }
    }

    /** The directory {@link #commit()} will create. */
    public Path out() {
        return out;
    }

    /** The hidden directory being written until {@link #commit()}. */
    public Path workDir() {
        return work;
    }

    /**
     * Plans the weight files: tensors go to shards in the given order, a new shard starting when the next
     * tensor would take the current one beyond {@code maxShardBytes} (a tensor larger than that gets a shard
     * of its own). One shard is written as {@code model.safetensors}; several as
     * {@code model-00001-of-0000N.safetensors} plus {@code model.safetensors.index.json}.
     */
    public void layout(List<TensorSpec> specs, long maxShardBytes) {
        require(State.OPEN, "layout");
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
        List<List<TensorSpec>> shards = new ArrayList<>();
        List<TensorSpec> current = new ArrayList<>();
        long currentBytes = 0;
        Set<String> seen = new HashSet<>();
        long totalSize = 0;
        for (TensorSpec s : specs) {
            if (!seen.add(s.name())) {
                throw new CheckpointException(out, s.name(), "appears twice in the output layout");
            }
            long bytes = s.byteSize();
            totalSize += bytes;
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(s);
            currentBytes += bytes;
        }
        shards.add(current);

        int n = shards.size();
        ObjectNode weightMap = COMPACT.createObjectNode();
        for (int i = 0; i < n; i++) {
            String fileName = n == 1 ? Checkpoint.SINGLE_FILE
                    : String.format("model-%05d-of-%05d.safetensors", i + 1, n);
            writeShard(work.resolve(fileName), shards.get(i));
            shardFiles.add(fileName);
            for (TensorSpec s : shards.get(i)) {
                weightMap.put(s.name(), fileName);
            }
        }
        if (n > 1) {
            ObjectNode index = JSON.createObjectNode();
            index.putObject("metadata").put("total_size", totalSize);
            index.set("weight_map", weightMap);
            writeJson(work.resolve(Checkpoint.INDEX), index);
        }
        state = State.LAID_OUT;
    }

    private void writeShard(Path file, List<TensorSpec> specs) {
        ObjectNode header = COMPACT.createObjectNode();
        header.putObject(SafetensorsFile.METADATA_KEY).put("format", "pt");
        long offset = 0;
        for (TensorSpec s : specs) {
            ObjectNode entry = header.putObject(s.name());
            entry.put("dtype", s.dtype().safetensorsName());
            ArrayNode shape = entry.putArray("shape");
            for (long d : s.shape().dims()) {
                shape.add(d);
            }
            long end = offset + s.byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = COMPACT.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot encode header: " + e, e);
        }
        // Pad with spaces (valid JSON whitespace) so the data section starts 8-byte aligned.
        int headerLength = (json.length + 7) & ~7;
        long dataStart = 8L + headerLength;
        long fileSize = dataStart + offset;
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            channels.add(ch);
            // Mapping beyond the end grows the file; untouched pages stay sparse until written.
            MemorySegment whole = ch.map(FileChannel.MapMode.READ_WRITE, 0, fileSize, arena);
            whole.set(SafetensorsFile.U64, 0, headerLength);
            MemorySegment.copy(json, 0, whole, ValueLayout.JAVA_BYTE, 8, json.length);
            whole.asSlice(8 + json.length, headerLength - json.length).fill((byte) ' ');
            mappings.add(whole);
            long at = dataStart;
            for (TensorSpec s : specs) {
                places.put(s.name(), new Place(file, ch, at, whole.asSlice(at, s.byteSize())));
                at += s.byteSize();
            }
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot create weight file: " + e, e);
        }
    }

    /** Weight file names in shard order; empty before {@link #layout}. */
    public List<String> shardFiles() {
        return Collections.unmodifiableList(shardFiles);
    }

    /** The writable bytes of tensor {@code name} in its output file (little-endian, row-major). */
    public MemorySegment target(String name) {
        require(State.LAID_OUT, "target");
        Place place = places.get(name);
        if (place == null) {
            throw new CheckpointException(out, name, "is not in the output layout");
        }
        return place.slice();
    }

    /**
     * Writes tensor {@code name}'s bytes (exactly its size) to its place in the output file by positioned
     * writes, as an alternative to filling {@link #target}. A write fault on a mapped page costs the file
     * system a journal handle each (ext4 blocks it while a commit runs: tens of milliseconds at a time), where
     * one write call takes the whole tensor. Safe from any thread, for distinct tensors.
     */
    public void write(String name, MemorySegment data) {
        require(State.LAID_OUT, "write");
        Place place = places.get(name);
        if (place == null) {
            throw new CheckpointException(out, name, "is not in the output layout");
        }
        long size = place.slice().byteSize();
        if (data.byteSize() != size) {
            throw new IllegalArgumentException("tensor '" + name + "': " + data.byteSize() + " bytes given, its "
                    + "place in " + place.file().getFileName() + " holds " + size);
        }
        try {
            ByteBuffer buffer = data.asByteBuffer();
            long at = place.offset();
            while (buffer.hasRemaining()) {
                at += place.channel().write(buffer, at);
            }
        } catch (IOException e) {
            throw new CheckpointException(place.file(), name, "cannot write: " + e, e);
        }
    }

    /** Writes {@code config.json}: {@code baseConfig} with {@code torch_dtype} (and {@code dtype}, if present) set. */
    public void writeConfig(JsonNode baseConfig, DType outDtype) {
        requireWritable("writeConfig");
        Objects.requireNonNull(outDtype, "outDtype");
        if (baseConfig == null || !baseConfig.isObject()) {
            throw new CheckpointException(out.resolve(Checkpoint.CONFIG), "base config is not a JSON object");
        }
        ObjectNode config = ((ObjectNode) baseConfig).deepCopy();
        config.put("torch_dtype", outDtype.torchName());
        if (config.has("dtype")) {
            // Newer transformers versions write "dtype" instead of "torch_dtype".
            config.put("dtype", outDtype.torchName());
        }
        writeJson(work.resolve(Checkpoint.CONFIG), config);
    }

    /** Copies those of {@link #TOKENIZER_FILES} that exist in {@code sourceDir}; returns their names. */
    public List<String> copyTokenizer(Path sourceDir) {
        requireWritable("copyTokenizer");
        if (!Files.isDirectory(sourceDir)) {
            throw new CheckpointException(sourceDir, "tokenizer source directory does not exist");
        }
        List<String> copied = new ArrayList<>();
        for (String name : TOKENIZER_FILES) {
            Path src = sourceDir.resolve(name);
            if (Files.isRegularFile(src)) {
                try {
                    Files.copy(src, work.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new CheckpointException(src, "cannot copy: " + e, e);
                }
                copied.add(name);
            }
        }
        return List.copyOf(copied);
    }

    /** Writes {@code README.md}: a model card that carries the recipe in a {@code yaml} code block. */
    public void writeModelCard(String recipeYaml) {
        requireWritable("writeModelCard");
        Objects.requireNonNull(recipeYaml, "recipeYaml");
        // A fence longer than any backtick run in the recipe, so the block cannot end early.
        int longest = 2;
        Matcher m = FENCES.matcher(recipeYaml);
        while (m.find()) {
            longest = Math.max(longest, m.group().length());
        }
        String fence = "`".repeat(longest + 1);
        String yaml = recipeYaml.endsWith("\n") ? recipeYaml : recipeYaml + "\n";
        String card = """
                ---
                library_name: transformers
                tags:
                - merge
                - evomerge
                ---
                # %s

                This model is a merge of pre-trained language models, made with evomerge.

                ## Configuration

                The following recipe (mergekit YAML) produced this model:

                %syaml
                %s%s
                """.formatted(out.getFileName(), fence, yaml, fence);
        try {
            Files.writeString(work.resolve("README.md"), card, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException(work.resolve("README.md"), "cannot write: " + e, e);
        }
    }

    /**
     * Flushes the weight mappings to disk (msync), unmaps them and fsyncs every file in the working
     * directory. {@link #target} segments are unusable afterwards. {@link #commit()} calls it if needed.
     */
    public void finish() {
        require(State.LAID_OUT, "finish");
        for (MemorySegment m : mappings) {
            m.force();
        }
        mappings.clear();
        places.clear();
        arena.close();
        closeChannels();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(work)) {
            for (Path f : files) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(work, "cannot sync output files: " + e, e);
        }
        syncDirectory(work);
        state = State.FINISHED;
    }

    /** Finishes if needed, then atomically renames the working directory to {@link #out()}. */
    public void commit() {
        if (state == State.LAID_OUT) {
            finish();
        }
        require(State.FINISHED, "commit");
        if (!Files.isRegularFile(work.resolve(Checkpoint.CONFIG))) {
            throw new CheckpointException(out, "no config.json was written (call writeConfig before commit)");
        }
        Path parent = out.getParent();
        try {
            if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                if (!overwrite) {
                    throw new CheckpointException(out, "output already exists (choose another path or overwrite it)");
                }
                swapIn(parent);
            } else {
                Files.move(work, out, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (FileAlreadyExistsException e) {
            throw new CheckpointException(out, "output appeared while merging; refusing to replace it", e);
        } catch (IOException e) {
            throw new CheckpointException(out, "cannot move the finished model into place: " + e, e);
        }
        syncDirectory(parent);
        state = State.COMMITTED;
    }

    private void swapIn(Path parent) throws IOException {
        Path old = parent.resolve("." + out.getFileName() + ".old-" + Long.toUnsignedString(RANDOM.nextLong(), 36));
        Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(work, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.move(old, out, StandardCopyOption.ATOMIC_MOVE);
            throw e;
        }
        deleteRecursively(old);
    }

    /** Deletes the working directory unless {@link #commit()} succeeded. Idempotent. */
    @Override
    public void close() {
        if (state == State.COMMITTED || state == State.CLOSED) {
            state = State.CLOSED;
            closeArena();
            return;
        }
        state = State.CLOSED;
        closeArena();
        try {
            deleteRecursively(work);
        } catch (IOException e) {
            throw new CheckpointException(work, "cannot remove the unfinished output: " + e, e);
        }
        removeEmpty(createdParents, work.getParent());
    }

    private void closeArena() {
        if (arena.scope().isAlive()) {
            mappings.clear();
            places.clear();
            arena.close();
        }
        closeChannels();
    }

    private void closeChannels() {
        for (FileChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                throw new CheckpointException(work, "cannot close a weight file: " + e, e);
            }
        }
        channels.clear();
    }

    private void require(State expected, String operation) {
        if (state != expected) {
            throw new IllegalStateException(operation + " on writer for " + out + " in state " + state
                    + " (expected " + expected + ")");
        }
    }

    private void requireWritable(String operation) {
        if (state != State.OPEN && state != State.LAID_OUT) {
            throw new IllegalStateException(operation + " on writer for " + out + " after finish/commit/close");
        }
    }

    private static void writeJson(Path file, JsonNode node) {
        try {
            Files.writeString(file, JSON.writeValueAsString(node) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot write: " + e, e);
        }
    }

    private static void syncDirectory(Path dir) {
        // fsync of a directory makes renames durable on Linux; other systems may refuse, which is harmless.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
                for (Path p : entries) {
                    deleteRecursively(p);
                }
            }
        }
        Files.delete(root);
    }
}
