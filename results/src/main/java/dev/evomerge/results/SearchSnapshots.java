package dev.evomerge.results;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code checkpoint/} folder of a run directory, where the search saves its state ({@link SearchSnapshot}):
 * one file per generation, {@code gen-000012.ckpt}, written atomically;
 * the newest {@value #KEEP} are kept. A file is a header line {@code evomerge-checkpoint 1 sha256=HEX}
 * followed by the JSON payload, whose exact bytes the checksum covers. Loading takes the newest file
 * whose checksum matches and reports every newer one it had to skip.
 *
 * {@snippet :
 * checkpoints.write(12, json);
 * Optional<SearchSnapshot> c = checkpoints.latest();   // falls back past a corrupt gen-000012.ckpt
 * }
 */
public final class SearchSnapshots {
    static final int KEEP = 3;
    private static final String MAGIC = "evomerge-checkpoint 1 sha256=";
    private static final Pattern NAME = Pattern.compile("gen-(\\d{6,})\\.ckpt");

    private final Path dir;

    SearchSnapshots(Path dir) {
        this.dir = dir;
    }

    public Path folder() {
        return dir;
    }

    public Path file(long generation) {
        return dir.resolve(String.format("gen-%06d.ckpt", generation));
    }

    /** Saves the checkpoint of a completed generation and prunes all but the newest {@value #KEEP}. */
    public void write(long generation, byte[] payload) {
        byte[] header = (MAGIC + sha256(payload) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + payload.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(payload, 0, all, header.length, payload.length);
        AtomicFiles.write(file(generation), all);
        List<Long> gens = generations();
        for (int i = 0; i + KEEP < gens.size(); i++) {
            try {
                Files.deleteIfExists(file(gens.get(i)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete old checkpoint " + file(gens.get(i)), e);
            }
        }
    }

    /** Generations that have a checkpoint file, ascending. */
    public List<Long> generations() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> NAME.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .map(m -> Long.parseLong(m.group(1)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The newest checkpoint whose checksum matches, or empty when there is none. */
    public Optional<SearchSnapshot> latest() {
        List<Long> gens = new ArrayList<>(generations());
        List<String> warnings = new ArrayList<>();
        for (int i = gens.size() - 1; i >= 0; i--) {
            Path f = file(gens.get(i));
            try {
                byte[] payload = verified(f);
                return Optional.of(new SearchSnapshot(gens.get(i), payload, warnings));
            } catch (CorruptCheckpointException e) {
                warnings.add(e.getMessage());
            }
        }
        if (!warnings.isEmpty()) {
            throw new CorruptCheckpointException("no intact checkpoint in " + dir + ": " + String.join("; ", warnings));
        }
        return Optional.empty();
    }

    /** The payload of {@code f} if its checksum matches. */
    static byte[] verified(Path f) {
        byte[] all;
        try {
            all = Files.readAllBytes(f);
        } catch (IOException e) {
            throw new CorruptCheckpointException(f + ": unreadable (" + e.getMessage() + ")");
        }
        int nl = -1;
        for (int i = 0; i < all.length && i < 200; i++) {
            if (all[i] == '\n') {
                nl = i;
                break;
            }
        }
        String header = nl < 0 ? "" : new String(all, 0, nl, StandardCharsets.US_ASCII);
        if (!header.startsWith(MAGIC)) {
            throw new CorruptCheckpointException(f + ": missing checkpoint header");
        }
        byte[] payload = java.util.Arrays.copyOfRange(all, nl + 1, all.length);
        String expected = header.substring(MAGIC.length());
        String actual = sha256(payload);
        if (!expected.equals(actual)) {
            throw new CorruptCheckpointException(f + ": checksum mismatch (sha256 " + actual + ", header says " + expected + ")");
        }
        return payload;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
