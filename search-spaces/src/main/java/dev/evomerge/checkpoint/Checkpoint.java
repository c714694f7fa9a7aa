package dev.evomerge.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Hugging Face model directory, memory-mapped: {@code config.json} plus either one
 * {@code model.safetensors} or shards listed by {@code model.safetensors.index.json}. All shards are mapped
 * into one shared arena that {@link #close()} releases, so tensors must not be used after closing.
 *
 * <p>With an index, the index is the authority and must agree with the shards exactly: every shard it names
 * must exist, every tensor it maps must be in that shard, and a tensor found in a shard but absent from the
 * weight map is an error too (such a directory was assembled by hand or half-rewritten; merging it would
 * silently drop weights a loader might still read). When both an index and {@code model.safetensors} are
 * present, the index wins, as in transformers.
 *
 * {@snippet :
 * try (Checkpoint base = Checkpoint.open(Path.of("models/llama-base"))) {
 *     int layers = base.config().path("num_hidden_layers").asInt();
 *     TensorView q = base.tensor("model.layers.0.self_attn.q_proj.weight");
 * }
 * }
 */
public final class Checkpoint implements AutoCloseable {

    public static final String CONFIG = "config.json";
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final JsonNode config;
    private final Arena arena;
    private final Map<String, TensorView> tensors;
    private final long totalBytes;
    private volatile boolean closed;

    private Checkpoint(Path dir, JsonNode config, Arena arena, Map<String, TensorView> tensors) {
        this.dir = dir;
        this.config = config;
        this.arena = arena;
        this.tensors = tensors;
        long sum = 0;
        for (TensorView v : tensors.values()) {
            sum += v.byteSize();
        }
        this.totalBytes = sum;
    }

    /** Opens and validates the model directory {@code dir}, mapping every weight file it uses. */
    public static Checkpoint open(Path dir) {
        JsonNode config = readConfig(dir);
        Arena arena = Arena.ofShared();
        try {
            Map<String, TensorView> tensors;
            if (Files.exists(dir.resolve(INDEX))) {
                tensors = openSharded(dir, arena);
            } else if (Files.exists(dir.resolve(SINGLE_FILE))) {
                tensors = new LinkedHashMap<>();
                for (TensorView v : SafetensorsFile.map(dir.resolve(SINGLE_FILE), arena).tensors()) {
                    tensors.put(v.name(), v);
                }
            } else {
                throw new CheckpointException(dir, "no weights: neither " + SINGLE_FILE + " nor " + INDEX
                        + " (only safetensors checkpoints are supported)");
            }
            return new Checkpoint(dir, config, arena, Collections.unmodifiableMap(tensors));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, TensorView> openSharded(Path dir, Arena arena) {
        Path indexFile = dir.resolve(INDEX);
        JsonNode index = readJson(indexFile, "cannot be read");
        JsonNode weightMap = index.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new CheckpointException(indexFile, "weight_map is missing or not a JSON object");
        }
        // Shards in name order (model-00001-of-N first), tensors in file order within a shard: disk order.
        Map<String, List<String>> byShard = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            if (!e.getValue().isTextual()) {
                throw new CheckpointException(indexFile, e.getKey(), "weight_map value is not a file name");
            }
            byShard.computeIfAbsent(e.getValue().textValue(), k -> new ArrayList<>()).add(e.getKey());
        }
        Path root = dir.toAbsolutePath().normalize();
        // Every named shard is checked before any is read: a tensor mapped to a missing file is that error, not
        // "the index does not map it here" about the shard that really holds it.
        for (Map.Entry<String, List<String>> shard : byShard.entrySet()) {
            String firstTensor = shard.getValue().getFirst();
            Path shardPath = dir.resolve(shard.getKey());
            if (!shardPath.toAbsolutePath().normalize().startsWith(root)) {
                throw new CheckpointException(indexFile, firstTensor,
                        "shard '" + shard.getKey() + "' lies outside the model directory");
            }
            if (!Files.isRegularFile(shardPath)) {
                throw new CheckpointException(indexFile, firstTensor,
                        "mapped to shard '" + shard.getKey() + "', which does not exist");
            }
        }
        Map<String, TensorView> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> shard : byShard.entrySet()) {
            Path shardPath = dir.resolve(shard.getKey());
            SafetensorsFile file = SafetensorsFile.map(shardPath, arena);
            for (String name : shard.getValue()) {
                if (!file.has(name)) {
                    throw new CheckpointException(indexFile, name,
                            "mapped to shard '" + shard.getKey() + "', which does not contain it");
                }
            }
            for (TensorView v : file.tensors()) {
                if (!weightMap.has(v.name()) || !weightMap.get(v.name()).textValue().equals(shard.getKey())) {
                    throw new CheckpointException(shardPath, v.name(),
                            "is in this shard but the index does not map it here");
                }
                tensors.put(v.name(), v);
            }
        }
        return tensors;
    }

    /** Reads and checks a model directory's config.json alone, without touching its weights. */
    public static JsonNode readConfig(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir, "model directory does not exist");
        }
        JsonNode config = readJson(dir.resolve(CONFIG), "config.json is missing");
        if (!config.isObject()) {
            throw new CheckpointException(dir.resolve(CONFIG), "is not a JSON object");
        }
        return config;
    }

    private static JsonNode readJson(Path file, String missing) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, missing);
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new CheckpointException(file, "invalid JSON: " + JsonErrors.describe(e), e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The parsed {@code config.json}; treat it as read-only. */
    public JsonNode config() {
        return config;
    }

    /** Tensor names in disk order (shards by file name, then data offset), stable across opens. */
    public List<String> tensorNames() {
        return List.copyOf(tensors.keySet());
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** The named tensor, a view into the mapping; throws naming directory and tensor if it is absent. */
    public TensorView tensor(String name) {
        if (closed) {
            throw new IllegalStateException("checkpoint " + dir + " is closed");
        }
        TensorView v = tensors.get(name);
        if (v == null) {
            throw new CheckpointException(dir, name, "no such tensor in this checkpoint");
        }
        return v;
    }

    /** Sum of all tensors' byte sizes. */
    public long totalBytes() {
        return totalBytes;
    }

    /** Unmaps every file; views obtained earlier become unusable. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "Checkpoint[" + dir + ", " + tensors.size() + " tensors]";
    }
}
