package dev.evomerge.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CheckpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static void assertMatchesSeed(Checkpoint c, long seed) {
        for (String name : c.tensorNames()) {
            TensorView v = c.tensor(name);
            for (long i = 0; i < v.elementCount(); i++) {
                assertEquals(SyntheticCheckpoints.stored(seed, name, i, v.dtype()), v.getFloat(i), name + "[" + i + "]");
            }
        }
    }

    /** Shard file names in order, as the writer named them. */
    private static List<String> shards(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("model-\\d{5}-of-\\d{5}\\.safetensors")).sorted().toList();
            assertTrue(names.size() >= 3, names.toString());
            return names;
        }
    }

    private static void assertOneLine(CheckpointException e, String... fragments) {
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        for (String f : fragments) {
            assertTrue(m.contains(f), m);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsSingleFile(DType dtype) {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 2, 8, 12, 16, dtype, 7);
        assertTrue(Files.exists(dir.resolve("model.safetensors")));
        assertFalse(Files.exists(dir.resolve("model.safetensors.index.json")));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(SyntheticCheckpoints.llamaSpecs(2, 8, 12, 16, dtype).stream().map(TensorSpec::name).toList(),
                    c.tensorNames());
            assertEquals(dtype.torchName(), c.config().get("torch_dtype").asText());
            assertEquals(2, c.config().get("num_hidden_layers").asInt());
            assertEquals(Shape.of(12, 8), c.tensor("model.layers.1.mlp.up_proj.weight").shape());
            long expected = SyntheticCheckpoints.llamaSpecs(2, 8, 12, 16, dtype).stream()
                    .mapToLong(TensorSpec::byteSize).sum();
            assertEquals(expected, c.totalBytes());
            assertMatchesSeed(c, 7);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsShards(DType dtype) {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 3, 8, 12, 16, dtype, 11, 600);
        assertTrue(Files.exists(dir.resolve("model.safetensors.index.json")));
        assertFalse(Files.exists(dir.resolve("model.safetensors")));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(SyntheticCheckpoints.llamaSpecs(3, 8, 12, 16, dtype).stream().map(TensorSpec::name).toList(),
                    c.tensorNames());
            assertTrue(c.has("lm_head.weight"));
            assertFalse(c.has("nope"));
            assertMatchesSeed(c, 11);
        }
    }

    @Test
    void differentSeedsGiveDifferentWeights() {
        Path a = SyntheticCheckpoints.llama(tmp.resolve("a"), 1, 8, 8, 8, DType.F32, 1);
        Path b = SyntheticCheckpoints.llama(tmp.resolve("b"), 1, 8, 8, 8, DType.F32, 2);
        try (Checkpoint ca = Checkpoint.open(a); Checkpoint cb = Checkpoint.open(b)) {
            assertTrue(ca.tensor("model.norm.weight").getFloat(0) != cb.tensor("model.norm.weight").getFloat(0));
        }
    }

    @Test
    void absentTensorErrorNamesDirectoryAndTensor() {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 1, 8, 8, 8, DType.F32, 1);
        try (Checkpoint c = Checkpoint.open(dir)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> c.tensor("model.layers.9.x"));
            assertOneLine(e, dir.toString(), "'model.layers.9.x'");
        }
    }

    @Test
    void closeUnmapsTensors() {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 1, 8, 8, 8, DType.F32, 1);
        Checkpoint c = Checkpoint.open(dir);
        TensorView v = c.tensor("model.norm.weight");
        c.close();
        c.close();
        assertThrows(IllegalStateException.class, () -> v.getFloat(0));
    }

    @Test
    void rejectsMissingDirectory() {
        Path dir = tmp.resolve("nowhere");
        assertOneLine(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)), dir.toString(),
                "does not exist");
    }

    @Test
    void rejectsMissingConfig() throws Exception {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 1, 8, 8, 8, DType.F32, 1);
        Files.delete(dir.resolve("config.json"));
        assertOneLine(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)),
                dir.resolve("config.json").toString(), "missing");
    }

    @Test
    void rejectsInvalidConfig() throws Exception {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 1, 8, 8, 8, DType.F32, 1);
        Files.writeString(dir.resolve("config.json"), "{\"a\": 1,\n }");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(dir));
        assertOneLine(e, dir.resolve("config.json").toString(), "invalid JSON");
        // Where the problem is, without Jackson's source description.
        assertTrue(e.getMessage().endsWith("(line 2, column 2)"), e.getMessage());
        assertFalse(e.getMessage().contains("Source"), e.getMessage());
    }

    @Test
    void rejectsDirectoryWithoutWeights() throws Exception {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 1, 8, 8, 8, DType.F32, 1);
        Files.delete(dir.resolve("model.safetensors"));
        assertOneLine(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)), dir.toString(),
                "no weights");
    }

    @Test
    void rejectsIndexNamingMissingShard() throws Exception {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 2, 8, 12, 16, DType.F32, 3, 600);
        String second = shards(dir).get(1);
        Files.delete(dir.resolve(second));
        assertOneLine(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)),
                "model.safetensors.index.json", "'" + second + "'", "does not exist", "tensor '");
    }

    /** The shard that really holds the tensor sorts before the missing one, and is read after the check. */
    @Test
    void rejectsTensorMappedToAFileThatDoesNotExist() throws Exception {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 2, 8, 12, 16, DType.F32, 3, 600);
        Path index = dir.resolve("model.safetensors.index.json");
        ObjectNode json = (ObjectNode) JSON.readTree(index.toFile());
        ((ObjectNode) json.get("weight_map")).put("model.embed_tokens.weight", "nonexistent.safetensors");
        JSON.writeValue(index.toFile(), json);
        assertOneLine(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)), index.toString(),
                "'model.embed_tokens.weight'", "'nonexistent.safetensors', which does not exist");
    }

    @Test
    void rejectsIndexNamingTensorAbsentFromItsShard() throws Exception {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 2, 8, 12, 16, DType.F32, 3, 600);
        Path index = dir.resolve("model.safetensors.index.json");
        ObjectNode json = (ObjectNode) JSON.readTree(index.toFile());
        ((ObjectNode) json.get("weight_map")).put("model.layers.7.mlp.up_proj.weight",
                shards(dir).getFirst());
        JSON.writeValue(index.toFile(), json);
        assertOneLine(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)), index.toString(),
                "'model.layers.7.mlp.up_proj.weight'", "does not contain it");
    }

    @Test
    void rejectsShardTensorTheIndexDoesNotMap() throws Exception {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 2, 8, 12, 16, DType.F32, 3, 600);
        Path index = dir.resolve("model.safetensors.index.json");
        ObjectNode json = (ObjectNode) JSON.readTree(index.toFile());
        ((ObjectNode) json.get("weight_map")).remove("model.norm.weight");
        JSON.writeValue(index.toFile(), json);
        assertOneLine(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)),
                "'model.norm.weight'", "index does not map it here");
    }

    @Test
    void rejectsIndexWithoutWeightMap() throws Exception {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 2, 8, 12, 16, DType.F32, 3, 600);
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\":{}}");
        assertOneLine(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)), "weight_map");
    }

    @Test
    void rejectsShardOutsideTheDirectory() throws Exception {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 1, 8, 8, 8, DType.F32, 3);
        Files.copy(dir.resolve("model.safetensors"), tmp.resolve("stray.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"model.norm.weight\":\"../stray.safetensors\"}}");
        assertOneLine(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)), "outside");
    }

    @Test
    void corruptShardErrorNamesTheShard() throws Exception {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 2, 8, 12, 16, DType.F32, 3, 600);
        Path shard = dir.resolve(shards(dir).get(2));
        Files.write(shard, new byte[] {1, 2, 3});
        assertOneLine(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)), shard.toString(),
                "shorter than");
    }

    @Test
    void tensorNamesAreStableAcrossOpens() {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 2, 8, 12, 16, DType.BF16, 3, 600);
        List<String> first;
        try (Checkpoint c = Checkpoint.open(dir)) {
            first = c.tensorNames();
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(first, c.tensorNames());
        }
    }

    @Test
    void fineTuneStaysCloseToItsBase() {
        Path base = SyntheticCheckpoints.llama(tmp.resolve("base"), 2, 8, 12, 16, DType.F32, 5, 600);
        Path ft = SyntheticCheckpoints.fineTune(base, tmp.resolve("ft"), 0.01f, 9);
        assertTrue(Files.exists(ft.resolve("model.safetensors.index.json")));
        assertTrue(Files.exists(ft.resolve("tokenizer.json")));
        try (Checkpoint b = Checkpoint.open(base); Checkpoint f = Checkpoint.open(ft)) {
            assertEquals(b.tensorNames(), f.tensorNames());
            assertEquals(b.config(), f.config());
            int moved = 0;
            for (String name : b.tensorNames()) {
                TensorView x = b.tensor(name);
                TensorView y = f.tensor(name);
                assertEquals(x.shape(), y.shape());
                for (long i = 0; i < x.elementCount(); i++) {
                    float d = y.getFloat(i) - x.getFloat(i);
                    assertTrue(Math.abs(d) <= 0.0100001f, name + "[" + i + "] moved " + d);
                    moved += d != 0 ? 1 : 0;
                }
            }
            assertTrue(moved > 0.9 * b.totalBytes() / 4, "moved " + moved);
        }
    }
}
