package dev.evomerge.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes safetensors files byte by byte, so tests can build the corrupt ones the writer never would. */
final class SafetensorsBytes {

    private SafetensorsBytes() {
    }

    /** A file holding the length prefix {@code declaredLength}, then {@code header}, then {@code dataBytes} zeros. */
    static Path write(Path file, long declaredLength, String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(json);
        return raw(file, b.array());
    }

    /** A well-framed file: the length prefix matches {@code header}. */
    static Path write(Path file, String header, int dataBytes) {
        return write(file, header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    static Path raw(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
