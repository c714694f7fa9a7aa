package dev.evomerge.results;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only file of newline-terminated lines. A process killed mid-append leaves a last line
 * without its newline: {@link #readLines} drops it and {@link #repairTail} cuts it off, so the next
 * append starts on a fresh line.
 */
final class AppendLog {
    private final Path file;

    AppendLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Complete lines only (a torn last line is ignored). */
    List<String> readLines() {
        if (!Files.exists(file)) {
            return List.of();
        }
        byte[] all = read();
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                if (i > start) {
                    lines.add(new String(all, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return lines;
    }

    /** Cuts a torn last line; returns its length in bytes (0 when the file was intact). */
    long repairTail() {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] all = read();
        int end = all.length;
        while (end > 0 && all[end - 1] != '\n') {
            end--;
        }
        if (end != all.length) {
            truncate(end);
        }
        return all.length - end;
    }

    /** Keeps the first {@code keep} complete lines and drops everything after them. */
    void keepFirstLines(int keep) {
        byte[] all = Files.exists(file) ? read() : new byte[0];
        int seen = 0;
        int end = 0;
        for (int i = 0; i < all.length && seen < keep; i++) {
            if (all[i] == '\n') {
                seen++;
                end = i + 1;
            }
        }
        if (end != all.length) {
            truncate(end);
        }
    }

    void append(List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            if (line.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a log line must not contain a newline: " + file);
            }
            sb.append(line).append('\n');
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Flushes appended lines to the disk (before a checkpoint that refers to them). */
    void sync() {
        if (!Files.exists(file)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync " + file + ": " + e.getMessage(), e);
        }
    }

    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void truncate(long size) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot truncate " + file + ": " + e.getMessage(), e);
        }
    }
}
