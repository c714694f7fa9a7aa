package dev.evomerge.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    @TempDir
    Path tmp;

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":["
                + begin + "," + end + "]}";
    }

    /** Opening {@code file} fails with a one-line message naming the file, the tensor (if any) and the fault. */
    private static CheckpointException assertRejected(Path file, String tensor, String fragment) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file).close());
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), m);
        assertTrue(m.contains(fragment), m);
        assertFalse(m.contains("\n"), m);
        assertEquals(file, e.file());
        if (tensor != null) {
            assertTrue(m.contains("'" + tensor + "'"), m);
            assertEquals(tensor, e.tensor());
        } else {
            assertNull(e.tensor());
        }
        return e;
    }

    @Test
    void readsHandWrittenFileInDataOrderWithMetadata() {
        // Header lists b before a, but a's data comes first.
        String header = "{\"__metadata__\":{\"format\":\"pt\"}," + entry("b", "F16", "[2]", 8, 12) + ","
                + entry("a", "F32", "[2]", 0, 8) + "}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + 12).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json).putFloat(1.5f).putFloat(-2f)
                .putShort(Float.floatToFloat16(0.25f)).putShort(Float.floatToFloat16(3f));
        Path f = SafetensorsBytes.raw(tmp.resolve("x.safetensors"), buf.array());
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertEquals(List.of("a", "b"), sf.tensorNames());
            assertEquals(Map.of("format", "pt"), sf.metadata());
            assertEquals(8 + json.length, sf.dataStart());
            TensorView a = sf.tensor("a");
            assertEquals(DType.F32, a.dtype());
            assertEquals(Shape.of(2), a.shape());
            assertEquals(1.5f, a.getFloat(0));
            assertEquals(-2f, a.getFloat(1));
            assertEquals(0.25f, sf.tensor("b").getFloat(0));
            assertEquals(3f, sf.tensor("b").getFloat(1));
        }
    }

    @Test
    void zeroLengthTensorsAndScalarsAreAccepted() {
        Path f = SafetensorsBytes.write(tmp.resolve("z.safetensors"),
                "{" + entry("empty", "BF16", "[0,3]", 0, 0) + "," + entry("scalar", "F32", "[]", 0, 4) + "}", 4);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertEquals(0, sf.tensor("empty").byteSize());
            assertEquals(1, sf.tensor("scalar").elementCount());
        }
    }

    @Test
    void viewsTiedToCallerArenaDieWithIt() {
        Path f = SafetensorsBytes.write(tmp.resolve("a.safetensors"), "{" + entry("t", "F32", "[1]", 0, 4) + "}", 4);
        TensorView v;
        try (Arena arena = Arena.ofConfined()) {
            v = SafetensorsFile.map(f, arena).tensor("t");
            assertEquals(0f, v.getFloat(0));
        }
        assertThrows(IllegalStateException.class, () -> v.getFloat(0));
    }

    @Test
    void rejectsFileShorterThanEightBytes() {
        assertRejected(SafetensorsBytes.raw(tmp.resolve("short.safetensors"), new byte[5]), null, "shorter than");
    }

    @Test
    void rejectsHeaderLengthBeyondFile() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("h.safetensors"), 1000, "{}", 0), null, "beyond the end");
    }

    @Test
    void rejectsAbsurdHeaderLength() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("h.safetensors"), 200L << 20, "{}", 0), null,
                "absurdly large");
        // A u64 with the top bit set must not pass as a negative long.
        assertRejected(SafetensorsBytes.write(tmp.resolve("h2.safetensors"), -8, "{}", 0), null, "absurdly large");
    }

    @Test
    void rejectsInvalidJson() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("j.safetensors"), "{\"a\":{\n\"dtype\":}", 0), null,
                "not valid JSON");
        assertRejected(SafetensorsBytes.write(tmp.resolve("t.safetensors"), "{} trailing", 0), null,
                "not valid JSON");
    }

    @Test
    void rejectsDuplicateTensorNames() {
        String e = entry("a", "F32", "[1]", 0, 4);
        assertRejected(SafetensorsBytes.write(tmp.resolve("d.safetensors"), "{" + e + "," + e + "}", 4), null,
                "not valid JSON");
    }

    @Test
    void rejectsHeaderThatIsNotAnObject() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("arr.safetensors"), "[1,2]", 0), null, "not a JSON object");
    }

    @Test
    void rejectsEntryThatIsNotAnObject() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("e.safetensors"), "{\"w\":[1]}", 0), "w",
                "not a JSON object");
    }

    @Test
    void rejectsEntryMissingDtype() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("m.safetensors"),
                "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "w", "needs dtype, shape and data_offsets");
    }

    @Test
    void rejectsEntryMissingShape() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("m.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "w", "needs dtype, shape and data_offsets");
    }

    @Test
    void rejectsEntryMissingDataOffsets() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("m.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "w", "needs dtype, shape and data_offsets");
    }

    @Test
    void rejectsFieldsOfWrongType() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("a.safetensors"),
                "{\"w\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "w", "dtype is not a string");
        assertRejected(SafetensorsBytes.write(tmp.resolve("b.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", 4), "w", "shape is not an array");
        assertRejected(SafetensorsBytes.write(tmp.resolve("c.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", 4), "w", "not a [begin, end] pair");
        assertRejected(SafetensorsBytes.write(tmp.resolve("d.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",4]}}", 4), "w",
                "not a non-negative integer");
        assertRejected(SafetensorsBytes.write(tmp.resolve("e.safetensors"),
                "{\"__metadata__\":{\"format\":1}}", 0), "__metadata__", "not a string");
    }

    @Test
    void rejectsUnknownDtype() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("u.safetensors"),
                "{" + entry("w", "I8", "[4]", 0, 4) + "}", 4), "w", "unsupported dtype 'I8'");
    }

    @Test
    void rejectsNegativeDimension() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("n.safetensors"),
                "{" + entry("w", "F32", "[-1]", 0, 4) + "}", 4), "w", "shape holds -1");
    }

    @Test
    void rejectsNonIntegerDimension() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("n.safetensors"),
                "{" + entry("w", "F32", "[1.5]", 0, 4) + "}", 4), "w", "shape holds 1.5");
    }

    @Test
    void rejectsOffsetsBeyondDataSection() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("o.safetensors"),
                "{" + entry("w", "F32", "[2]", 0, 8) + "}", 4), "w", "outside the 4-byte data section");
    }

    @Test
    void rejectsBeginAfterEnd() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("o.safetensors"),
                "{" + entry("w", "F32", "[1]", 8, 4) + "}", 8), "w", "begin 8 > end 4");
    }

    @Test
    void rejectsOverlappingTensors() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("o.safetensors"),
                "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", 12), "b",
                "overlap tensor 'a'");
    }

    /** The reference loader refuses both, so a model that loads here must also load in transformers. */
    @Test
    void rejectsAGapBetweenTensorsAndBytesAfterTheLast() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("g.safetensors"),
                "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 72, 80) + "}", 80), "b",
                "starts at byte 72 of the data section, but the tensors before it end at 8");
        assertRejected(SafetensorsBytes.write(tmp.resolve("t.safetensors"),
                "{" + entry("a", "F32", "[2]", 0, 8) + "}", 24), null, "16 bytes after the last tensor");
    }

    @Test
    void rejectsByteLengthNotMatchingShape() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("l.safetensors"),
                "{" + entry("w", "BF16", "[3]", 0, 8) + "}", 8), "w", "has 8 bytes, but shape [3] of BF16 needs 6");
    }

    @Test
    void rejectsShapeWhoseByteCountOverflows() {
        assertRejected(SafetensorsBytes.write(tmp.resolve("l.safetensors"),
                "{" + entry("w", "F32", "[4611686018427387904,4]", 0, 8) + "}", 8), "w", "overflows");
    }

    @Test
    void rejectsMissingFile() {
        assertRejected(tmp.resolve("absent.safetensors"), null, "does not exist");
    }

    /** A sparse file: apparent size beyond 2^31, only a few pages really written. */
    @Test
    void readsTensorStoredBeyondTwoGibibytes() throws Exception {
        long begin = (1L << 31) + 1000;
        long end = begin + 16;
        String header = "{" + entry("pad", "F32", "[" + begin / 4 + "]", 0, begin) + ","
                + entry("far", "F32", "[4]", begin, end) + "}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path f = tmp.resolve("big.safetensors");
        long dataStart = 8 + json.length;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(dataStart + end);
            ByteBuffer b = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
            raf.write(b.putLong(json.length).put(json).array());
            ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            data.putFloat(1f).putFloat(-2.5f).putFloat(1e-3f).putFloat(42f);
            raf.seek(dataStart + begin);
            raf.write(data.array());
        }
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertTrue(sf.fileSize() > (1L << 31));
            assertEquals(List.of("pad", "far"), sf.tensorNames());
            TensorView far = sf.tensor("far");
            assertEquals(1f, far.getFloat(0));
            assertEquals(-2.5f, far.getFloat(1));
            assertEquals(1e-3f, far.getFloat(2));
            assertEquals(42f, far.getFloat(3));
            assertEquals(0f, sf.tensor("pad").getFloat(0));
            assertEquals(42f, far.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 12));
        }
    }
}
