package dev.evomerge.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which weight file each tensor goes to: tensors in the given order, a new shard starting when the next tensor
 * would take the current one beyond the limit (a tensor larger than the limit gets a shard of its own). One
 * shard is named {@code model.safetensors}; several {@code model-00001-of-0000N.safetensors}, which Hugging Face
 * loaders find through {@code model.safetensors.index.json} ({@link #weightMap()}).
 *
 * {@snippet :
 * ShardLayout layout = ShardLayout.plan(specs, 5_000_000_000L, out);
 * for (ShardLayout.Shard s : layout.shards()) { ... s.fileName() ... s.tensors() ... }
 * }
 *
 * @param shards    the weight files in order
 * @param totalSize bytes of tensor data in all shards (the index's {@code metadata.total_size})
 */
record ShardLayout(List<Shard> shards, long totalSize) {

    /** One weight file and the tensors it holds, in file order. */
    public record Shard(String fileName, List<TensorSpec> tensors) {
        public Shard {
            tensors = List.copyOf(tensors);
        }
    }

    public ShardLayout {
        shards = List.copyOf(shards);
    }

    /** Plans the shards of {@code specs}; {@code out} names the model in errors (a tensor named twice). */
    public static ShardLayout plan(List<TensorSpec> specs, long maxShardBytes, Path out) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
        List<List<TensorSpec>> groups = new ArrayList<>();
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
                groups.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(s);
            currentBytes += bytes;
        }
        groups.add(current);
        int n = groups.size();
        List<Shard> shards = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String fileName = n == 1 ? Checkpoint.SINGLE_FILE : String.format("model-%05d-of-%05d.safetensors", i + 1, n);
            shards.add(new Shard(fileName, groups.get(i)));
        }
        return new ShardLayout(shards, totalSize);
    }

    /** Whether the weights need an index file (more than one shard). */
    public boolean indexed() {
        return shards.size() > 1;
    }

    /** Tensor name to file name, in layout order. */
    public Map<String, String> weightMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (Shard s : shards) {
            for (TensorSpec t : s.tensors()) {
                map.put(t.name(), s.fileName());
            }
        }
        return map;
    }
}
