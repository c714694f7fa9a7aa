package dev.evomerge.plan;

import dev.evomerge.checkpoint.TensorSpec;
import dev.evomerge.checkpoint.TensorView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Merged tensors kept off-heap between candidates, keyed by {@link MergedTensorKey} (the tensor's own slice of
 * the recipe), so candidates that share layers merge them once. Least recently used tensors are evicted to stay
 * within a byte budget, but never for a tensor of the same build: a model larger than the budget would otherwise
 * push its own first layers out before the next candidate asks for them (plain LRU under a repeated scan hits
 * nothing), whereas this way the cache keeps as many of a model's tensors as fit. A budget of 0 caches nothing.
 *
 * <p>{@link #build} merges a whole plan, reusing what it can; the tensors it returns stay valid until the
 * {@link MergedTensors} is closed, even when the cache evicts them meanwhile (their memory is freed when the last
 * holder lets go). While a model is being built, the memory in use can therefore exceed the budget by up to that
 * model's own tensors. Thread-safe.
 *
 * {@snippet :
 * try (MergedTensorCache cache = MergedTensorCache.withBudget(1L << 30)) {
 *     try (ModelSet models = ModelSet.open(recipe, dir);
 *          MergedTensorCache.MergedTensors merged = cache.build(MergePlanner.plan(recipe, models), models)) {
 *         TensorView t = merged.tensor("model.norm.weight");
 *     }
 *     System.out.println(cache.stats().summary());
 * }
 * }
 */
public final class MergedTensorCache implements AutoCloseable {

    private final long budgetBytes;
    private final LinkedHashMap<MergedTensorKey, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long bytesHeld;
    private long hits;
    private long misses;
    private long evictions;
    private long hitBytes;
    private long mergeNanos;
    private long builds;
    private boolean closed;

    private MergedTensorCache(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("merged-tensor cache budget must be >= 0 bytes, got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    /** A cache holding at most {@code budgetBytes} of merged tensors; 0 caches nothing. */
    public static MergedTensorCache withBudget(long budgetBytes) {
        return new MergedTensorCache(budgetBytes);
    }

    /** A cache holding at most {@code megabytes} MiB; 0 caches nothing. */
    public static MergedTensorCache withBudgetMb(long megabytes) {
        if (megabytes < 0) {
            throw new IllegalArgumentException("merged-tensor cache budget must be >= 0 MB, got " + megabytes);
        }
        return new MergedTensorCache(Math.multiplyExact(megabytes, 1L << 20));
    }

    /** A cache that caches nothing: every build merges every tensor. */
    public static MergedTensorCache disabled() {
        return new MergedTensorCache(0);
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    public boolean enabled() {
        return budgetBytes > 0;
    }

    /**
     * Every output tensor of {@code plan}: taken from the cache when an equal key is held, else merged from
     * {@code models} (which must be the set the plan was made from) and offered to the cache. Tensors are
     * read-only views.
     */
    public MergedTensors build(MergePlan plan, ModelSet models) {
        List<Entry> held = new ArrayList<>();
        Map<String, TensorView> views = new LinkedHashMap<>();
        // Tensors the cache will not keep share one arena, freed with the build: closing a shared arena costs a
        // handshake with every thread (~0.15 ms), too much to pay per tensor.
        Arena transientArena = Arena.ofShared();
        long build;
        synchronized (this) {
            build = ++builds;
        }
        try {
            for (TensorTask task : plan.tasks()) {
                TensorSpec out = task.output();
                Entry e = acquire(task, models, transientArena, build);
                held.add(e);
                views.put(out.name(), new TensorView(out.name(), out.dtype(), out.shape(), e.data.asReadOnly()));
            }
        } catch (RuntimeException ex) {
            held.forEach(this::release);
            transientArena.close();
            throw ex;
        }
        return new MergedTensors(views, held, transientArena);
    }

    private Entry acquire(TensorTask task, ModelSet models, Arena transientArena, long build) {
        MergedTensorKey key = enabled() ? MergedTensorKey.of(task, models) : null;
        synchronized (this) {
            checkOpen();
            if (key != null) {
                Entry e = entries.get(key);
                if (e != null) {
                    hits++;
                    hitBytes += e.data.byteSize();
                    e.pins++;
                    e.lastBuild = Math.max(e.lastBuild, build);
                    return e;
                }
            }
            misses++;
        }
        // Merged outside the lock: it is the slow part, and the result is offered afterwards.
        long bytes = task.output().byteSize();
        Entry e = key != null && bytes <= budgetBytes ? Entry.owned(bytes) : Entry.in(transientArena, bytes);
        long start = System.nanoTime();
        try {
            MergeExecutor.runTask(task, models, e.data);
        } catch (RuntimeException ex) {
            e.free();
            throw ex;
        }
        long took = System.nanoTime() - start;
        synchronized (this) {
            mergeNanos += took;
            e.pins = 1;
            if (e.arena != null && !closed && !entries.containsKey(key) && makeRoom(e.data.byteSize(), build)) {
                entries.put(key, e);
                e.cached = true;
                e.lastBuild = build;
                bytesHeld += e.data.byteSize();
            }
        }
        return e;
    }

    /**
     * Evicts least recently used tensors of earlier builds until {@code bytes} more fit in the budget; false when
     * they cannot (what is left was used by this build), and then nothing is evicted.
     */
    private boolean makeRoom(long bytes, long build) {
        long freeable = budgetBytes - bytesHeld;
        // Access order puts this build's tensors last, so the earlier builds' ones form a prefix.
        for (Entry e : entries.values()) {
            if (freeable >= bytes || e.lastBuild >= build) {
                break;
            }
            freeable += e.data.byteSize();
        }
        if (freeable < bytes) {
            return false;
        }
        Iterator<Entry> it = entries.values().iterator();
        while (bytesHeld + bytes > budgetBytes) {
            Entry old = it.next();
            it.remove();
            old.cached = false;
            bytesHeld -= old.data.byteSize();
            evictions++;
            if (old.pins == 0) {
                old.free();
            }
        }
        return true;
    }

    private synchronized void release(Entry e) {
        e.pins--;
        if (e.pins == 0 && !e.cached) {
            e.free();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("merged-tensor cache is closed");
        }
    }

    /** Counters since the cache was made, and what it holds now. */
    public synchronized Stats stats() {
        return new Stats(hits, misses, evictions, entries.size(), bytesHeld, hitBytes, budgetBytes, mergeNanos);
    }

    /** Frees every cached tensor not currently held by a {@link MergedTensors}; later builds fail. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Entry e : entries.values()) {
            e.cached = false;
            if (e.pins == 0) {
                e.free();
            }
        }
        entries.clear();
        bytesHeld = 0;
    }

    /**
     * The cache's counters. Lookups count tensors, not models.
     *
     * @param hits      tensors taken from the cache
     * @param misses    tensors merged (every tensor when the cache is disabled)
     * @param evictions tensors dropped to stay within the budget
     * @param entries   tensors held now
     * @param bytesHeld bytes held now
     * @param hitBytes  bytes of merged tensors served from the cache instead of being merged again
     * @param mergeNanos time spent merging the missed tensors
     */
    public record Stats(long hits, long misses, long evictions, long entries, long bytesHeld, long hitBytes,
                        long budgetBytes, long mergeNanos) {

        /** Share of tensor lookups answered by the cache; 0 before any lookup. */
        public double hitRate() {
            long n = hits + misses;
            return n == 0 ? 0 : (double) hits / n;
        }

        /**
         * One line for logs, e.g. {@code merge cache 75.0% hits (30/40 tensors, 9.0 MiB reused), 12.0 MiB of 1.0 GiB
         * held, 0 evictions, 0.4 s merging}.
         */
        public String summary() {
            if (budgetBytes == 0) {
                return String.format(Locale.ROOT, "merge cache off (%d tensors merged in %.1f s)", misses, mergeNanos / 1e9);
            }
            return String.format(Locale.ROOT, "merge cache %.1f%% hits (%d/%d tensors, %s reused), %s of %s held,"
                            + " %d evictions, %.1f s merging", 100 * hitRate(), hits, hits + misses, size(hitBytes),
                    size(bytesHeld), size(budgetBytes), evictions, mergeNanos / 1e9);
        }

        /** The counters as a flat map (for a JSON summary). */
        public Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("budget_bytes", budgetBytes);
            m.put("hits", hits);
            m.put("misses", misses);
            m.put("hit_rate", hitRate());
            m.put("evictions", evictions);
            m.put("entries", entries);
            m.put("bytes_held", bytesHeld);
            m.put("hit_bytes", hitBytes);
            m.put("merge_seconds", mergeNanos / 1e9);
            return Collections.unmodifiableMap(m);
        }

        private static String size(long bytes) {
            if (bytes >= 1L << 30) {
                return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
            }
            if (bytes >= 1L << 20) {
                return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
            }
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
    }

    /**
     * A merged model's tensors, by output name, valid until closed. Closing lets the cache free tensors it
     * evicted while they were held here.
     */
    public final class MergedTensors implements AutoCloseable {
        private final Map<String, TensorView> tensors;
        private final Arena transientArena;
        private List<Entry> held;

        private MergedTensors(Map<String, TensorView> tensors, List<Entry> held, Arena transientArena) {
            this.tensors = Collections.unmodifiableMap(tensors);
            this.held = held;
            this.transientArena = transientArena;
        }

        /** Every tensor, in the plan's order. */
        public Map<String, TensorView> tensors() {
            return tensors;
        }

        /** The named tensor, or {@code null}. */
        public TensorView tensor(String name) {
            return tensors.get(name);
        }

        @Override
        public void close() {
            if (held != null) {
                held.forEach(MergedTensorCache.this::release);
                held = null;
                transientArena.close();
            }
        }
    }

    /**
     * One merged tensor's memory: in an arena of its own when the cache may keep it (so it can be freed alone),
     * else in its build's arena ({@link #arena} {@code null}), freed when the build is closed.
     */
    private static final class Entry {
        final Arena arena;
        final MemorySegment data;
        int pins;
        boolean cached;
        /** The latest build that used it; a build never evicts its own tensors. */
        long lastBuild;

        private Entry(Arena arena, MemorySegment data) {
            this.arena = arena;
            this.data = data;
        }

        static Entry owned(long bytes) {
            Arena arena = Arena.ofShared();
            return new Entry(arena, arena.allocate(bytes, 64));
        }

        static Entry in(Arena buildArena, long bytes) {
            return new Entry(null, buildArena.allocate(bytes, 64));
        }

        void free() {
            if (arena != null) {
                arena.close();
            }
        }
    }
}
