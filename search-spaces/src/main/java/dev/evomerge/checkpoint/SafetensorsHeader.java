package dev.evomerge.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The header of a safetensors file being written: compact JSON naming each tensor's dtype, shape and byte range
 * (in the given order, back to back), with {@code __metadata__} {@code {"format": "pt"}}, padded with spaces so
 * the data starts 8-byte aligned.
 *
 * @param json       the header JSON, unpadded
 * @param length     the header's length as recorded in the file's first 8 bytes (json plus padding)
 * @param dataBytes  bytes of tensor data after the header
 */
record SafetensorsHeader(byte[] json, int length, long dataBytes) {

    private static final ObjectMapper COMPACT = new ObjectMapper();

    /** The header of a file holding {@code tensors} in this order. */
    public static SafetensorsHeader of(List<TensorSpec> tensors) {
        ObjectNode header = COMPACT.createObjectNode();
        header.putObject(SafetensorsFile.METADATA_KEY).put("format", "pt");
        long offset = 0;
        for (TensorSpec s : tensors) {
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
            throw new UncheckedIOException("cannot encode a safetensors header", e);
        }
        return new SafetensorsHeader(json, (json.length + 7) & ~7, offset);
    }

    /** Offset of the first data byte in the file. */
    public long dataStart() {
        return 8L + length;
    }

    /** Size of the whole file. */
    public long fileSize() {
        return dataStart() + dataBytes;
    }

    /** Writes the length prefix, the JSON and its padding at the start of {@code file}. */
    public void writeTo(MemorySegment file) {
        file.set(SafetensorsFile.U64, 0, length);
        MemorySegment.copy(json, 0, file, ValueLayout.JAVA_BYTE, 8, json.length);
        file.asSlice(8 + json.length, length - json.length).fill((byte) ' ');
    }
}
