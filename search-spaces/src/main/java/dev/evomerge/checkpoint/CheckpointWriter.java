package dev.evomerge.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a merged model directory that Hugging Face loaders accept, without holding tensors on the heap.
 *
 * <p>Everything goes into a {@link StagingDirectory}; only {@link #commit()} renames it to {@code out}. Closing
 * without committing deletes it, so a failed merge leaves nothing at {@code out}. Safetensors headers precede
 * the data, so the files are planned up front by {@link #layout}: it splits the tensors into shards
 * ({@link ShardLayout}), writes each shard's {@link SafetensorsHeader}, sizes and maps the files, and
 * {@link #target} then hands out the writable slice of each tensor for the merge kernels to fill in place (from
 * any thread), or {@link #write} puts a tensor's bytes there in one positioned write. This class keeps the
 * order of those steps and the open files; the model card's text comes from {@link ModelCard}.
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

    private enum State { OPEN, LAID_OUT, FINISHED, COMMITTED, CLOSED }

    /** A tensor's shard file, the offset of its first byte there, and its writable slice of the mapping. */
    private record Place(Path file, FileChannel channel, long offset, MemorySegment slice) {
    }

    private final StagingDirectory staging;
    private final Path out;
    private final Path work;
    private final Arena arena = Arena.ofShared();
    private final List<MemorySegment> mappings = new ArrayList<>();
    /** Where each tensor's bytes go, for {@link #target} and {@link #write}. */
    private final Map<String, Place> places = new HashMap<>();
    /** The shards, open for {@link #write} until {@link #finish}. */
    private final List<FileChannel> channels = new ArrayList<>();
    private final List<String> shardFiles = new ArrayList<>();
    private State state = State.OPEN;

    private CheckpointWriter(StagingDirectory staging) {
        this.staging = staging;
        this.out = staging.out();
        this.work = staging.work();
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
        return new CheckpointWriter(StagingDirectory.create(out, overwrite));
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
     * Plans the weight files ({@link ShardLayout}: a new shard starts when the next tensor would take the current
     * one beyond {@code maxShardBytes}), writes their headers and maps them. One shard is written as
     * {@code model.safetensors}; several as {@code model-00001-of-0000N.safetensors} plus
     * {@code model.safetensors.index.json}.
     */
    public void layout(List<TensorSpec> specs, long maxShardBytes) {
        require(State.OPEN, "layout");
        ShardLayout layout = ShardLayout.plan(specs, maxShardBytes, out);
        for (ShardLayout.Shard shard : layout.shards()) {
            writeShard(work.resolve(shard.fileName()), shard.tensors());
            shardFiles.add(shard.fileName());
        }
        if (layout.indexed()) {
            ObjectNode index = JSON.createObjectNode();
            index.putObject("metadata").put("total_size", layout.totalSize());
            ObjectNode weightMap = index.putObject("weight_map");
            layout.weightMap().forEach(weightMap::put);
            writeJson(work.resolve(Checkpoint.INDEX), index);
        }
        state = State.LAID_OUT;
    }

    private void writeShard(Path file, List<TensorSpec> specs) {
        SafetensorsHeader header;
        try {
            header = SafetensorsHeader.of(specs);
        } catch (UncheckedIOException e) {
            throw new CheckpointException(file, "cannot encode header: " + e.getCause(), e);
        }
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            channels.add(ch);
            // Mapping beyond the end grows the file; untouched pages stay sparse until written.
            MemorySegment whole = ch.map(FileChannel.MapMode.READ_WRITE, 0, header.fileSize(), arena);
            header.writeTo(whole);
            mappings.add(whole);
            long at = header.dataStart();
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
        String card = ModelCard.of(out.getFileName().toString(), recipeYaml);
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
        staging.sync();
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
        staging.commit();
        state = State.COMMITTED;
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
        staging.discard();
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
}
