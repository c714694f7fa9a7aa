package dev.evomerge.eval.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeHeapTest {

    @Test
    void aUsersOwnAllocatorSettingsAreLeftAlone() {
        assertTrue(NativeHeap.userTuned(Map.of("MALLOC_ARENA_MAX", "2")));
        assertTrue(NativeHeap.userTuned(Map.of("MALLOC_TRIM_THRESHOLD_", "0")));
        assertTrue(NativeHeap.userTuned(Map.of("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536")));
        assertFalse(NativeHeap.userTuned(Map.of("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX", "PATH", "/usr/bin")));
    }

    /** The downcall itself: glibc's mallopt is found and takes the three settings (CI runs on glibc). */
    @Test
    void glibcTakesTheSettings() {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "glibc's allocator is Linux's");
        assumeFalse(NativeHeap.userTuned(System.getenv()), "the environment tunes the allocator itself");
        assertTrue(NativeHeap.keepFreedMemory());
        assertTrue(NativeHeap.keepFreedMemory(), "a second call is a no-op that still says yes");
    }
}
