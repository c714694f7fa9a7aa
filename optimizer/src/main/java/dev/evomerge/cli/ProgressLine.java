package dev.evomerge.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A progress bar on the terminal's last line, redrawn in place with {@code \r}.
 *
 * <p>While it is open, {@code System.err} is replaced by a stream that prints every complete line above the
 * bar (clear the bar, write the line, draw the bar again), so log lines from anywhere in the process never
 * share a terminal line with it. The estimate of the time left comes from completed work only: the rate of
 * the units done since the bar opened, measured at the last step, counted down while the next unit runs. A
 * unit in progress therefore never raises the estimate, as an estimate from the elapsed time would.
 *
 * {@snippet :
 * try (ProgressLine bar = ProgressLine.open("search", 20, ProgressLine.Unit.of("gen"))) {
 *     bar.stepTo(1);
 *     System.err.println("gen 1 | best 0.5");   // printed above the bar
 * }
 * }
 */
final class ProgressLine implements AutoCloseable {

    private static final int BAR_WIDTH = 25;
    private static final long REDRAW_NANOS = 1_000_000_000L;

    /** What the bar counts: its name after the numbers, and how many raw units make one shown unit. */
    record Unit(String name, long scale, boolean showSpeed) {
        Unit {
            if (scale <= 0) {
                throw new IllegalArgumentException("unit scale must be positive, got " + scale);
            }
        }

        static Unit of(String name) {
            return new Unit(name, 1, false);
        }
    }

    private final String task;
    private final long max;
    private final Unit unit;
    private final LongSupplier nanos;
    private final PrintStream terminal;
    private final PrintStream previousErr;
    private final long startNanos;
    private final long startDone;
    private final ScheduledExecutorService ticker;

    private long done;
    private long lastStepNanos;
    private String extra = "";
    private int drawnWidth;
    private boolean closed;

    private ProgressLine(String task, long max, long initial, Unit unit, LongSupplier nanos, PrintStream terminal,
            boolean tick) {
        this.task = task;
        this.max = max;
        this.unit = unit;
        this.nanos = nanos;
        this.terminal = terminal;
        this.startNanos = nanos.getAsLong();
        this.lastStepNanos = startNanos;
        this.done = initial;
        this.startDone = initial;
        this.previousErr = System.err;
        System.setErr(new PrintStream(new AboveTheBar(), true, StandardCharsets.UTF_8));
        this.ticker = tick ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress-line");
            t.setDaemon(true);
            return t;
        }) : null;
        if (ticker != null) {
            ticker.scheduleAtFixedRate(this::redraw, REDRAW_NANOS, REDRAW_NANOS, TimeUnit.NANOSECONDS);
        }
        redraw();
    }

    /** A bar on the process's standard error, counting to {@code max} ({@code -1}: unknown) from 0. */
    static ProgressLine open(String task, long max, Unit unit) {
        return open(task, max, 0, unit);
    }

    /** As above, starting at {@code initial} units already done (a resumed search): they do not count as speed. */
    static ProgressLine open(String task, long max, long initial, Unit unit) {
        return new ProgressLine(task, max, initial, unit, System::nanoTime, System.err, true);
    }

    /** A bar drawn on {@code terminal} with {@code nanos} as its clock and no redraw thread (for tests). */
    static ProgressLine onTerminal(String task, long max, long initial, Unit unit, LongSupplier nanos,
            PrintStream terminal) {
        return new ProgressLine(task, max, initial, unit, nanos, terminal, false);
    }

    /** Sets the units done so far. */
    synchronized void stepTo(long n) {
        if (n != done) {
            done = n;
            lastStepNanos = nanos.getAsLong();
        }
        draw();
    }

    synchronized void step() {
        stepTo(done + 1);
    }

    /** A short text after the numbers (the stage being worked on). */
    synchronized void setExtraMessage(String message) {
        extra = message == null ? "" : message;
        draw();
    }

    /** The line as drawn now (without the carriage return). */
    synchronized String render() {
        StringBuilder s = new StringBuilder(task);
        if (max > 0) {
            double f = Math.min(1, Math.max(0, done / (double) max));
            int filled = (int) Math.round(f * BAR_WIDTH);
            s.append(String.format(Locale.ROOT, " %3d%% [", Math.round(f * 100)))
                    .append("=".repeat(filled)).append(" ".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(scaled(done)).append('/').append(scaled(max));
        } else {
            s.append(' ').append(scaled(done));
        }
        s.append(' ').append(unit.name());
        long now = nanos.getAsLong();
        s.append(" (").append(clock(now - startNanos));
        long doneHere = done - startDone;
        if (doneHere > 0) {
            double nanosPerUnit = (lastStepNanos - startNanos) / (double) doneHere;
            if (max > 0) {
                double left = nanosPerUnit * Math.max(0, max - done) - (now - lastStepNanos);
                s.append(" / ETA ").append(clock((long) Math.max(0, left)));
            }
            if (unit.showSpeed() && nanosPerUnit > 0) {
                s.append(String.format(Locale.ROOT, ", %.1f %s/s", 1e9 / nanosPerUnit / unit.scale(), unit.name()));
            }
        } else if (max > 0) {
            s.append(" / ETA ?");
        }
        s.append(')');
        if (!extra.isEmpty()) {
            s.append(' ').append(extra);
        }
        return s.toString();
    }

    private String scaled(long raw) {
        return Long.toString(raw / unit.scale());
    }

    static String clock(long nanos) {
        long s = nanos / 1_000_000_000L;
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    private synchronized void redraw() {
        if (!closed) {
            draw();
        }
    }

    private void draw() {
        String line = render();
        // Spaces over what is left of a longer previous line.
        int pad = Math.max(0, drawnWidth - line.length());
        terminal.print("\r" + line + " ".repeat(pad));
        terminal.flush();
        drawnWidth = line.length();
    }

    private void clear() {
        terminal.print("\r" + " ".repeat(drawnWidth) + "\r");
        drawnWidth = 0;
    }

    /** A complete line written to System.err while the bar is open: printed on its own line, the bar below it. */
    private synchronized void printAbove(byte[] line, int length) {
        if (closed) {
            terminal.write(line, 0, length);
            terminal.flush();
            return;
        }
        clear();
        terminal.write(line, 0, length);
        draw();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (ticker != null) {
            ticker.shutdownNow();
        }
        draw();
        terminal.println();
        closed = true;
        PrintStream router = System.err;
        System.setErr(previousErr);
        router.flush();
    }

    /** Collects bytes up to each newline, then hands the line to {@link #printAbove}. */
    private final class AboveTheBar extends OutputStream {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            synchronized (ProgressLine.this) {
                pending.write(b);
                if (b == '\n') {
                    emit();
                }
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (ProgressLine.this) {
                for (int i = off; i < off + len; i++) {
                    write(b[i]);
                }
            }
        }

        @Override
        public void flush() {
            synchronized (ProgressLine.this) {
                // A partial line is held until its newline (or close), so it never lands beside the bar.
                if (closed && pending.size() > 0) {
                    emit();
                }
            }
        }

        private void emit() {
            byte[] line = pending.toByteArray();
            pending.reset();
            printAbove(line, line.length);
        }
    }
}
