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

    /** The work for one chunk. */
    @FunctionalInterface
    public interface Body {
        void run(int chunk, long from, long to);
    }

    private Chunks() {
    }

    public static int count(long n) {
        return (int) Math.max(1, (n + SIZE - 1) / SIZE);
    }

    /** Runs {@code body} for every chunk; a single chunk runs on the caller's thread. */
    public static void forEach(long n, Body body) {
        int chunks = count(n);
        if (chunks == 1) {
            body.run(0, 0, n);
            return;
        }
        IntStream.range(0, chunks).parallel()
                .forEach(c -> body.run(c, (long) c * SIZE, Math.min(n, (long) (c + 1) * SIZE)));
    }
}
