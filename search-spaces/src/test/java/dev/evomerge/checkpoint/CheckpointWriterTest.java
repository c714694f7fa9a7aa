package dev.evomerge.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointWriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static List<TensorSpec> specs(DType dtype, int... sizes) {
        List<TensorSpec> specs = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            specs.add(new TensorSpec("t" + i, dtype, Shape.of(sizes[i])));
        }
        return specs;
    }

    private static ObjectNode config() {
        return SyntheticCheckpoints.llamaConfig(1, 8, 8, 8, DType.F32);
    }

    /** Everything in {@code tmp} apart from the listed names: leftovers a failed write must not leave. */
    private List<String> entriesOtherThan(String... expected) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !List.of(expected).contains(n)).toList();
        }
    }

    private static void fill(CheckpointWriter w, List<TensorSpec> specs) {
        for (TensorSpec s : specs) {
            MemorySegment dst = w.target(s.name());
            for (long i = 0; i < s.shape().elementCount(); i++) {
                Floats.write(dst, s.dtype(), i, s.name().hashCode() + i);
            }
        }
    }

    @Test
    void singleShardHasAlignedPaddedHeaderWithFormatMetadata() throws IOException {
        Path out = tmp.resolve("out");
        List<TensorSpec> specs = specs(DType.BF16, 3, 5, 1);
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(specs, 1 << 20);
            assertEquals(List.of("model.safetensors"), w.shardFiles());
            fill(w, specs);
            w.writeConfig(config(), DType.BF16);
            w.commit();
        }
        assertFalse(Files.exists(out.resolve("model.safetensors.index.json")));
        byte[] bytes = Files.readAllBytes(out.resolve("model.safetensors"));
        long n = MemorySegment.ofArray(bytes).get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        assertEquals(0, (8 + n) % 8);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"}"), header);
        String json = header.stripTrailing();
        assertTrue(json.endsWith("}") && header.length() - json.length() < 8, header);
        assertTrue(header.substring(json.length()).chars().allMatch(ch -> ch == ' '), header);
        assertEquals(8 + n + 2 * (3 + 5 + 1), bytes.length); // no gaps: the reference loader demands it
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertEquals(List.of("t0", "t1", "t2"), f.tensorNames());
            assertEquals(java.util.Map.of("format", "pt"), f.metadata());
            assertEquals(Floats.bf16ToFloat(Floats.floatToBf16("t1".hashCode() + 4)), f.tensor("t1").getFloat(4));
        }
    }

    @Test
    void headerIsPaddedWithSpacesWhateverTheNameLength() throws IOException {
        int padded = 0;
        for (int len = 1; len <= 8; len++) {
            Path out = tmp.resolve("out" + len);
            try (CheckpointWriter w = CheckpointWriter.create(out)) {
                w.layout(List.of(new TensorSpec("x".repeat(len), DType.F32, Shape.of(1))), 100);
                w.writeConfig(config(), DType.F32);
                w.commit();
            }
            byte[] bytes = Files.readAllBytes(out.resolve("model.safetensors"));
            int n = (int) MemorySegment.ofArray(bytes)
                    .get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            assertEquals(0, n % 8);
            if (bytes[8 + n - 1] == ' ') {
                padded++;
            }
            try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
                assertEquals(List.of("x".repeat(len)), f.tensorNames());
            }
        }
        assertEquals(7, padded); // one name length in eight needs no padding
    }

    @Test
    void shardsInOrderWithIndexAndOversizedTensorAlone() throws IOException {
        Path out = tmp.resolve("out");
        // 16, 16, 40 (over the limit: alone), 8 bytes of F32 with a 32-byte limit.
        List<TensorSpec> specs = specs(DType.F32, 4, 4, 10, 2);
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(specs, 32);
            assertEquals(List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                    "model-00003-of-00003.safetensors"), w.shardFiles());
            fill(w, specs);
            w.writeConfig(config(), DType.F32);
            w.commit();
        }
        JsonNode index = JSON.readTree(out.resolve("model.safetensors.index.json").toFile());
        assertEquals(4 * (4 + 4 + 10 + 2), index.get("metadata").get("total_size").asLong());
        JsonNode map = index.get("weight_map");
        assertEquals("model-00001-of-00003.safetensors", map.get("t0").asText());
        assertEquals("model-00001-of-00003.safetensors", map.get("t1").asText());
        assertEquals("model-00002-of-00003.safetensors", map.get("t2").asText());
        assertEquals("model-00003-of-00003.safetensors", map.get("t3").asText());
        try (Checkpoint c = Checkpoint.open(out)) {
            assertEquals(List.of("t0", "t1", "t2", "t3"), c.tensorNames());
            assertEquals("t2".hashCode() + 9f, c.tensor("t2").getFloat(9));
        }
    }

    @Test
    void emptyLayoutWritesHeaderOnlyFile() {
        Path out = tmp.resolve("out");
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(List.of(), 100);
            w.writeConfig(config(), DType.F32);
            w.commit();
        }
        try (Checkpoint c = Checkpoint.open(out)) {
            assertEquals(List.of(), c.tensorNames());
        }
    }

    @Test
    void rejectsDuplicateNamesInLayout() {
        try (CheckpointWriter w = CheckpointWriter.create(tmp.resolve("out"))) {
            List<TensorSpec> specs = List.of(new TensorSpec("a", DType.F32, Shape.of(1)),
                    new TensorSpec("a", DType.F32, Shape.of(2)));
            CheckpointException e = assertThrows(CheckpointException.class, () -> w.layout(specs, 100));
            assertTrue(e.getMessage().contains("tensor 'a': appears twice in the output layout"), e.getMessage());
        }
    }

    @Test
    void targetRequiresLayoutAndKnownName() {
        try (CheckpointWriter w = CheckpointWriter.create(tmp.resolve("out"))) {
            assertThrows(IllegalStateException.class, () -> w.target("t0"));
            w.layout(specs(DType.F32, 2), 100);
            assertEquals(8, w.target("t0").byteSize());
            CheckpointException e = assertThrows(CheckpointException.class, () -> w.target("zzz"));
            assertTrue(e.getMessage().contains("'zzz'"), e.getMessage());
        }
    }

    @Test
    void positionedWritesPutTheBytesWhereTheMappingDoes() throws IOException {
        List<TensorSpec> specs = specs(DType.F32, 3, 700, 1, 257);
        Path mapped = tmp.resolve("mapped");
        try (CheckpointWriter w = CheckpointWriter.create(mapped)) {
            w.layout(specs, 1200);
            fill(w, specs);
            w.writeConfig(config(), DType.F32);
            w.commit();
        }
        Path written = tmp.resolve("written");
        try (CheckpointWriter w = CheckpointWriter.create(written)) {
            w.layout(specs, 1200);
            assertTrue(w.shardFiles().size() > 1, "several shards");
            for (TensorSpec s : specs) {
                MemorySegment data = MemorySegment.ofArray(new byte[(int) s.byteSize()]);
                for (long i = 0; i < s.shape().elementCount(); i++) {
                    Floats.write(data, s.dtype(), i, s.name().hashCode() + i);
                }
                w.write(s.name(), data);
            }
            w.writeConfig(config(), DType.F32);
            w.commit();
        }
        try (Stream<Path> files = Files.list(mapped)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".safetensors")).toList()) {
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(written.resolve(f.getFileName())),
                        f.getFileName().toString());
            }
        }
    }

    @Test
    void positionedWriteRefusesAWrongSizeAnUnknownTensorAndAFinishedWriter() {
        try (CheckpointWriter w = CheckpointWriter.create(tmp.resolve("out"))) {
            MemorySegment eight = MemorySegment.ofArray(new byte[8]);
            assertThrows(IllegalStateException.class, () -> w.write("t0", eight));
            w.layout(specs(DType.F32, 2, 3), 100);
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> w.write("t1", eight));
            assertTrue(size.getMessage().contains("'t1'") && size.getMessage().contains("12"), size.getMessage());
            CheckpointException unknown = assertThrows(CheckpointException.class, () -> w.write("zzz", eight));
            assertTrue(unknown.getMessage().contains("'zzz'"), unknown.getMessage());
            w.write("t0", eight);
            w.finish();
            assertThrows(IllegalStateException.class, () -> w.write("t0", eight));
        }
    }

    @Test
    void configGetsOutputDtypeAndKeepsTheRest() throws IOException {
        Path out = tmp.resolve("out");
        ObjectNode base = config();
        base.put("dtype", "float32");
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(List.of(), 100);
            w.writeConfig(base, DType.BF16);
            w.commit();
        }
        JsonNode written = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("bfloat16", written.get("torch_dtype").asText());
        assertEquals("bfloat16", written.get("dtype").asText());
        assertEquals("float32", base.get("torch_dtype").asText()); // the caller's node is not modified
        assertEquals(base.get("architectures"), written.get("architectures"));
        assertEquals(base.size(), written.size());
    }

    @Test
    void copiesOnlyTokenizerFilesThatExist() throws IOException {
        Path src = SyntheticCheckpoints.llama(tmp.resolve("src"), 1, 8, 8, 8, DType.F32, 1);
        Files.writeString(src.resolve("merges.txt"), "a b\n");
        Files.writeString(src.resolve("unrelated.txt"), "x");
        Path out = tmp.resolve("out");
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(List.of(), 100);
            assertEquals(List.of("tokenizer.json", "merges.txt"), w.copyTokenizer(src));
            w.writeConfig(config(), DType.F32);
            w.commit();
        }
        assertEquals(Files.readString(src.resolve("tokenizer.json")), Files.readString(out.resolve("tokenizer.json")));
        assertEquals("a b\n", Files.readString(out.resolve("merges.txt")));
        assertFalse(Files.exists(out.resolve("unrelated.txt")));
        assertFalse(Files.exists(out.resolve("tokenizer_config.json")));
    }

    @Test
    void copyTokenizerFromMissingDirectoryNamesIt() {
        try (CheckpointWriter w = CheckpointWriter.create(tmp.resolve("out"))) {
            Path missing = tmp.resolve("missing");
            CheckpointException e = assertThrows(CheckpointException.class, () -> w.copyTokenizer(missing));
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        }
    }

    @Test
    void modelCardCarriesRecipeInYamlBlock() throws IOException {
        Path out = tmp.resolve("out");
        String recipe = "merge_method: linear\nmodels:\n  - model: a\n    parameters:\n      weight: 0.5\n";
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(List.of(), 100);
            w.writeConfig(config(), DType.F32);
            w.writeModelCard(recipe);
            w.commit();
        }
        String card = Files.readString(out.resolve("README.md"));
        assertTrue(card.contains("```yaml\n" + recipe + "```\n"), card);
    }

    @Test
    void modelCardFenceOutlastsBackticksInRecipe() throws IOException {
        Path out = tmp.resolve("out");
        String recipe = "# odd comment with ``` inside\nmerge_method: linear\n";
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(List.of(), 100);
            w.writeConfig(config(), DType.F32);
            w.writeModelCard(recipe);
            w.commit();
        }
        assertTrue(Files.readString(out.resolve("README.md")).contains("````yaml\n" + recipe + "````\n"));
    }

    @Test
    void failureBeforeCommitLeavesNothing() throws IOException {
        Path out = tmp.resolve("out");
        Path[] work = new Path[1];
        assertThrows(IllegalStateException.class, () -> {
            try (CheckpointWriter w = CheckpointWriter.create(out)) {
                work[0] = w.workDir();
                w.layout(specs(DType.F32, 4, 4), 16);
                fill(w, specs(DType.F32, 4, 4));
                w.writeConfig(config(), DType.F32);
                w.copyTokenizer(SyntheticCheckpoints.llama(tmp.resolve("src"), 1, 8, 8, 8, DType.F32, 1));
                assertTrue(Files.isDirectory(work[0]));
                assertTrue(work[0].getFileName().toString().startsWith(".out.tmp-"), work[0].toString());
                assertEquals(out.getParent(), work[0].getParent());
                throw new IllegalStateException("merge failed half-way");
            }
        });
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(work[0]));
        assertEquals(List.of(), entriesOtherThan("src"));
    }

    @Test
    void commitWithoutConfigFailsAndLeavesNothing() throws IOException {
        Path out = tmp.resolve("out");
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(specs(DType.F32, 1), 100);
            CheckpointException e = assertThrows(CheckpointException.class, w::commit);
            assertTrue(e.getMessage().contains("config.json"), e.getMessage());
        }
        assertFalse(Files.exists(out));
        assertEquals(List.of(), entriesOtherThan());
    }

    @Test
    void existingOutputIsRefusedUpFrontAndUntouched() throws IOException {
        Path out = Files.createDirectory(tmp.resolve("out"));
        Files.writeString(out.resolve("keep.txt"), "precious");
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointWriter.create(out));
        assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("already exists"),
                e.getMessage());
        assertEquals("precious", Files.readString(out.resolve("keep.txt")));
        assertEquals(List.of("out"), entriesOtherThan("src"));
    }

    @Test
    void outputAppearingDuringMergeIsNotReplaced() throws IOException {
        Path out = tmp.resolve("out");
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(specs(DType.F32, 2), 100);
            w.writeConfig(config(), DType.F32);
            Files.createDirectory(out);
            Files.writeString(out.resolve("keep.txt"), "precious");
            assertThrows(CheckpointException.class, w::commit);
        }
        assertEquals("precious", Files.readString(out.resolve("keep.txt")));
        assertEquals(List.of("keep.txt"), Files.list(out).map(p -> p.getFileName().toString()).toList());
        assertEquals(List.of("out"), entriesOtherThan());
    }

    @Test
    void overwriteSwapsInNewModelAndDeletesOld() throws IOException {
        Path out = Files.createDirectory(tmp.resolve("out"));
        Files.writeString(out.resolve("old.txt"), "old");
        try (CheckpointWriter w = CheckpointWriter.create(out, true)) {
            w.layout(specs(DType.F16, 3), 100);
            fill(w, specs(DType.F16, 3));
            w.writeConfig(config(), DType.F16);
            w.commit();
        }
        assertFalse(Files.exists(out.resolve("old.txt")));
        try (Checkpoint c = Checkpoint.open(out)) {
            assertEquals(List.of("t0"), c.tensorNames());
        }
        assertEquals(List.of("out"), entriesOtherThan());
    }

    @Test
    void createsMissingParentDirectories() {
        Path out = tmp.resolve("a/b/out");
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(List.of(), 100);
            w.writeConfig(config(), DType.F32);
            w.commit();
        }
        assertTrue(Files.isRegularFile(out.resolve("config.json")));
    }

    @Test
    void failureRemovesTheParentDirectoriesItMadeAndNoOthers() throws IOException {
        Files.createDirectories(tmp.resolve("kept"));
        try (CheckpointWriter w = CheckpointWriter.create(tmp.resolve("kept/a/b/out"))) {
            w.layout(specs(DType.F32, 4), 100);
        }
        assertEquals(List.of(), entriesOtherThan("kept"));
        try (Stream<Path> s = Files.list(tmp.resolve("kept"))) {
            assertEquals(List.of(), s.toList());
        }
    }

    @Test
    void aParentThatIsAFileIsNamed() throws IOException {
        Files.writeString(tmp.resolve("file"), "x");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointWriter.create(tmp.resolve("file/sub/out")));
        assertTrue(e.getMessage().contains(tmp.resolve("file") + " is not a directory"), e.getMessage());
        assertEquals(List.of("file"), entriesOtherThan());
    }

    /** The model directory gets the mode the user's umask gives any new directory (not a temp directory's 0700). */
    @Test
    void outputDirectoryIsAsReadableAsAnyNewDirectory() throws IOException {
        Path out = tmp.resolve("out");
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(List.of(), 100);
            w.writeConfig(config(), DType.F32);
            w.commit();
        }
        Path plain = Files.createDirectory(tmp.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out));
    }

    @Test
    void nothingCanBeWrittenAfterCommit() {
        try (CheckpointWriter w = CheckpointWriter.create(tmp.resolve("out"))) {
            w.layout(List.of(), 100);
            w.writeConfig(config(), DType.F32);
            w.commit();
            assertThrows(IllegalStateException.class, () -> w.writeModelCard("x"));
            assertThrows(IllegalStateException.class, () -> w.target("t0"));
        }
    }

    /** Writer and reader agree on long offsets: a 2 GiB tensor, then one that starts past 2^31. Sparse. */
    @Test
    @Tag("slow")
    void writesAndReadsTensorsBeyondTwoGibibytes() {
        Path out = tmp.resolve("big");
        long big = (1L << 29) + 4; // F32 elements: 2 GiB + 16 bytes
        List<TensorSpec> specs = List.of(new TensorSpec("big", DType.F32, Shape.of(big)),
                new TensorSpec("after", DType.BF16, Shape.of(3)));
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(specs, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
            Floats.write(w.target("big"), DType.F32, big - 1, 7.25f);
            Floats.write(w.target("big"), DType.F32, 1, -3f);
            for (int i = 0; i < 3; i++) {
                Floats.write(w.target("after"), DType.BF16, i, i + 0.5f);
            }
            w.writeConfig(config(), DType.F32);
            w.commit();
        }
        try (Checkpoint c = Checkpoint.open(out)) {
            assertEquals(List.of("big", "after"), c.tensorNames());
            assertEquals(7.25f, c.tensor("big").getFloat(big - 1));
            assertEquals(-3f, c.tensor("big").getFloat(1));
            assertEquals(0f, c.tensor("big").getFloat(big / 2));
            assertEquals(2.5f, c.tensor("after").getFloat(2));
            assertEquals(big * 4 + 6, c.totalBytes());
        }
    }

    @Test
    void indexOrderMatchesLayoutOrder() throws IOException {
        Path out = tmp.resolve("out");
        List<TensorSpec> specs = specs(DType.F32, 4, 4, 4);
        try (CheckpointWriter w = CheckpointWriter.create(out)) {
            w.layout(specs, 16);
            w.writeConfig(config(), DType.F32);
            w.commit();
        }
        Iterator<String> names = JSON.readTree(out.resolve("model.safetensors.index.json").toFile())
                .get("weight_map").fieldNames();
        List<String> order = new ArrayList<>();
        names.forEachRemaining(order::add);
        assertEquals(List.of("t0", "t1", "t2"), order);
    }
}
