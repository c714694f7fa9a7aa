package dev.evomerge.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One memory-mapped {@code .safetensors} file: a validated header and its tensors as zero-copy slices of the
 * mapping. The mapping lives as long as the {@link Arena} it was mapped into; {@link #open(Path)} makes a
 * file that owns its arena and unmaps on {@link #close()}.
 *
 * <p>Layout: an 8-byte little-endian header length {@code N}, {@code N} bytes of JSON
 * ({@code name -> {dtype, shape, data_offsets: [begin, end]}} plus an optional {@code __metadata__}
 * string map), then the data section that the offsets are relative to. Every offset is a {@code long},
 * so files beyond 2 GiB work. The tensors must fill the data section without gaps or overlaps, as in the
 * reference implementation.
 *
 * {@snippet :
 * try (SafetensorsFile f = SafetensorsFile.open(Path.of("model.safetensors"))) {
 *     for (TensorView t : f.tensors()) {
 *         System.out.println(t.name() + " " + t.dtype() + " " + t.shape());
 *     }
 * }
 * }
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Headers beyond this are corrupt, not large: real ones are at most a few MiB. */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    static final String METADATA_KEY = "__metadata__";
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path path;
    private final Arena ownedArena;
    private final long dataStart;
    private final long fileSize;
    private final Map<String, String> metadata;
    private final Map<String, TensorView> tensors;

    private SafetensorsFile(Path path, Arena ownedArena, long dataStart, long fileSize,
                            Map<String, String> metadata, Map<String, TensorView> tensors) {
        this.path = path;
        this.ownedArena = ownedArena;
        this.dataStart = dataStart;
        this.fileSize = fileSize;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** Maps {@code file} into a shared arena owned by the returned object; {@link #close()} unmaps it. */
    public static SafetensorsFile open(Path file) {
        Arena arena = Arena.ofShared();
        try {
            return map(file, arena, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Maps {@code file} into {@code arena}; the views stay valid until the caller closes the arena. */
    public static SafetensorsFile map(Path file, Arena arena) {
        return map(file, arena, null);
    }

    private static SafetensorsFile map(Path file, Arena arena, Arena owned) {
        MemorySegment whole;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file, "file is " + size + " bytes, shorter than the 8-byte header length");
            }
            whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "file does not exist");
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot map: " + e, e);
        }
        return parse(file, whole, owned);
    }

    private static SafetensorsFile parse(Path file, MemorySegment whole, Arena owned) {
        long size = whole.byteSize();
        long headerLength = whole.get(U64, 0);
        // An unsigned u64 beyond Long.MAX_VALUE reads as negative: just as absurd.
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw new CheckpointException(file, "header length " + Long.toUnsignedString(headerLength)
                    + " is absurdly large (limit " + MAX_HEADER_BYTES + " bytes)");
        }
        if (headerLength > size - 8) {
            throw new CheckpointException(file, "header length " + headerLength + " runs beyond the end of the "
                    + size + "-byte file");
        }
        byte[] headerBytes = whole.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = JSON.readTree(headerBytes);
        } catch (IOException e) {
            throw new CheckpointException(file, "header is not valid JSON: " + JsonErrors.describe(e), e);
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointException(file, "header is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        MemorySegment data = whole.asSlice(dataStart);
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            String name = field.getKey();
            if (name.equals(METADATA_KEY)) {
                metadata = parseMetadata(file, field.getValue());
            } else {
                entries.add(parseEntry(file, name, field.getValue(), data.byteSize()));
            }
        }
        // File order is data order; the stable sort keeps header order among empty tensors at one offset.
        entries.sort(Comparator.comparingLong(Entry::begin));
        // The tensors tile the data section exactly, as the reference loader demands (it refuses a file with a
        // gap, an overlap or bytes after the last tensor), so a file we read is one transformers reads too.
        Entry previous = null;
        long cursor = 0;
        Map<String, TensorView> views = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (e.begin() < cursor) {
                throw new CheckpointException(file, e.name(), "bytes [" + e.begin() + ", " + e.end()
                        + ") overlap tensor '" + previous.name() + "' at [" + previous.begin() + ", "
                        + previous.end() + ")");
            }
            if (e.begin() > cursor) {
                throw new CheckpointException(file, e.name(), "starts at byte " + e.begin() + " of the data section,"
                        + " but the tensors before it end at " + cursor + " (safetensors leaves no gaps)");
            }
            if (e.begin() < e.end()) {
                previous = e;
                cursor = e.end();
            }
            views.put(e.name(), new TensorView(e.name(), e.dtype(), e.shape(),
                    data.asSlice(e.begin(), e.end() - e.begin())));
        }
        if (cursor != data.byteSize()) {
            throw new CheckpointException(file, (data.byteSize() - cursor) + " bytes after the last tensor"
                    + " (the data section ends at byte " + cursor + " of " + data.byteSize() + ")");
        }
        return new SafetensorsFile(file, owned, dataStart, size, metadata, Collections.unmodifiableMap(views));
    }

    private record Entry(String name, DType dtype, Shape shape, long begin, long end) {
    }

    private static Entry parseEntry(Path file, String name, JsonNode node, long dataSize) {
        if (!node.isObject()) {
            throw new CheckpointException(file, name, "entry is not a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsetsNode = node.get("data_offsets");
        if (dtypeNode == null || shapeNode == null || offsetsNode == null) {
            throw new CheckpointException(file, name, "entry needs dtype, shape and data_offsets");
        }
        if (!dtypeNode.isTextual()) {
            throw new CheckpointException(file, name, "dtype is not a string: " + dtypeNode);
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensors(dtypeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, name, e.getMessage());
        }
        if (!shapeNode.isArray()) {
            throw new CheckpointException(file, name, "shape is not an array: " + shapeNode);
        }
        long[] dims = new long[shapeNode.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = nonNegativeLong(file, name, "shape", shapeNode.get(i));
        }
        Shape shape = new Shape(dims);
        if (!offsetsNode.isArray() || offsetsNode.size() != 2) {
            throw new CheckpointException(file, name, "data_offsets is not a [begin, end] pair: " + offsetsNode);
        }
        long begin = nonNegativeLong(file, name, "data_offsets", offsetsNode.get(0));
        long end = nonNegativeLong(file, name, "data_offsets", offsetsNode.get(1));
        if (begin > end) {
            throw new CheckpointException(file, name, "data_offsets begin " + begin + " > end " + end);
        }
        if (end > dataSize) {
            throw new CheckpointException(file, name, "data_offsets [" + begin + ", " + end
                    + ") lie outside the " + dataSize + "-byte data section");
        }
        long expected;
        try {
            expected = Math.multiplyExact(shape.elementCount(), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new CheckpointException(file, name, "shape " + shape + " overflows a 64-bit byte count");
        }
        if (end - begin != expected) {
            throw new CheckpointException(file, name, "has " + (end - begin) + " bytes, but shape " + shape
                    + " of " + dtype + " needs " + expected);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long nonNegativeLong(Path file, String name, String key, JsonNode n) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            throw new CheckpointException(file, name, key + " holds " + n + ", not a non-negative integer");
        }
        return n.longValue();
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) {
        if (!node.isObject()) {
            throw new CheckpointException(file, METADATA_KEY, "is not a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new CheckpointException(file, METADATA_KEY, "value of '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    public Path path() {
        return path;
    }

    /** The {@code __metadata__} map, empty when the header has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in file (data offset) order. */
    public List<String> tensorNames() {
        return List.copyOf(tensors.keySet());
    }

    /** All tensors in file (data offset) order. */
    public List<TensorView> tensors() {
        return List.copyOf(tensors.values());
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public TensorView tensor(String name) {
        TensorView v = tensors.get(name);
        if (v == null) {
            throw new CheckpointException(path, name, "no such tensor in this file");
        }
        return v;
    }

    /** Byte offset of the data section within the file (8 + header length). */
    public long dataStart() {
        return dataStart;
    }

    /** Size of the whole file in bytes. */
    public long fileSize() {
        return fileSize;
    }

    /** Unmaps the file if this object owns its arena ({@link #open(Path)}); otherwise does nothing. */
    @Override
    public void close() {
        if (ownedArena != null && ownedArena.scope().isAlive()) {
            ownedArena.close();
        }
    }
}
