package dev.evomerge.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadaheadTest {

    @TempDir
    Path tmp;

    @Test
    void theKernelTakesTheAdviceForSlicesOffAPageBoundary() throws IOException {
        assertTrue(Readahead.available() || !System.getProperty("os.name").equals("Linux"),
                "madvise is linked on Linux");
        Path file = tmp.resolve("weights.bin");
        Files.write(file, new byte[3 * 65536 + 123]);
        try (Arena arena = Arena.ofConfined();
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, Files.size(file), arena);
            int expected = Readahead.available() ? 0 : 1;
            // Tensors start anywhere after a safetensors header: the advice must start on the page before.
            assertEquals(expected, Readahead.advise(whole.asSlice(8 + 1001, 70_000)));
            assertEquals(expected, Readahead.advise(whole.asSlice(whole.byteSize() - 5, 5)));
            assertEquals(expected, Readahead.advise(whole));
            assertEquals(1, Readahead.advise(whole.asSlice(17, 0)), "nothing to read");
        }
        assertEquals(1, Readahead.advise(MemorySegment.ofArray(new byte[64])), "heap memory is not advised");
    }
}
