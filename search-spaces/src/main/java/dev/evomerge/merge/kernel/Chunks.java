package dev.evomerge.merge.kernel;

import java.util.stream.IntStream;

/**
 * Splits {@code [0, n)} into fixed-size chunks and runs them in parallel on the common ForkJoin pool.
 * The chunk size never depends on the thread count, so per-chunk partial results (reductions, selected
 * candidates) are the same however many threads run them; callers combine them in chunk order.
 *
 * {@snippet :
 * Chunks.forEach(n, (chunk, from, to) -> kernel.range(from, to));
 * }
 */
public final class Chunks {

    /** Elements per chunk: big enough to amortise scheduling, a multiple of {@link Tiles#TILE}. */
    public static final int SIZE = 1 << 20;

    /**
     * Elements per chunk for passes whose results do not depend on the chunking at all (elementwise merges,
     * the exact top-k selection), unlike reductions' rounding: several chunks per thread, so that when a
     * busy machine preempts one worker the others take over its remaining chunks instead of waiting.
     */
    public static final int FINE = 1 << 18;

    /** The work for one chunk. */
    @FunctionalInterface
    public interface Body {
        void run(int chunk, long from, long to);
    }

    private Chunks() {
    }

    public static int count(long n) {
        return count(n, SIZE);
    }

    public static int count(long n, int size) {
        return (int) Math.max(1, (n + size - 1) / size);
    }

    /** Runs {@code body} for every chunk of {@link #SIZE}; a single chunk runs on the caller's thread. */
    public static void forEach(long n, Body body) {
        forEach(n, SIZE, body);
    }

    /** Runs {@code body} for every chunk of {@code size} elements (a multiple of {@link Tiles#TILE}). */
    public static void forEach(long n, int size, Body body) {
        int chunks = count(n, size);
        if (chunks == 1) {
            body.run(0, 0, n);
            return;
        }
        IntStream.range(0, chunks).parallel()
                .forEach(c -> body.run(c, (long) c * size, Math.min(n, (long) (c + 1) * size)));
    }
}
