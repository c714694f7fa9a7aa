package dev.evomerge.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * A hidden sibling directory ({@code .NAME.tmp-RANDOM} next to {@code out}) that becomes {@code out} in one
 * rename, or disappears. Parent directories it had to make are removed again unless it is committed, so a
 * failed write leaves nothing behind. With {@code overwrite}, an existing {@code out} is swapped out only once
 * the new one is complete, and deleted after.
 */
final class StagingDirectory {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path out;
    private final boolean overwrite;
    private final Path work;
    /** The highest directory {@link #create} made for {@code out}'s parent. */
    private final Path createdParents;

    private StagingDirectory(Path out, boolean overwrite, Path work, Path createdParents) {
        this.out = out;
        this.overwrite = overwrite;
        this.work = work;
        this.createdParents = createdParents;
    }

    /** Makes the hidden directory for {@code out}; refuses an existing {@code out} unless {@code overwrite}. */
    static StagingDirectory create(Path out, boolean overwrite) {
        Path target = out.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null || target.getFileName() == null) {
            throw new CheckpointException(out, "cannot write a model to a file-system root");
        }
        // Fail before a long merge, not after it.
        if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new CheckpointException(out, "output already exists (choose another path or overwrite it)");
        }
        Path missing = null;
        for (Path p = parent; p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) {
                break;
            }
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new CheckpointException(out, p + " is not a directory");
            }
            missing = p;
        }
        try {
            Files.createDirectories(parent);
            // createDirectory, unlike createTempDirectory (always 0700), leaves the mode to the umask, so the
            // finished model is as readable as any other directory the user makes.
            Path work = parent.resolve("." + target.getFileName() + ".tmp-"
                    + Long.toUnsignedString(RANDOM.nextLong(), 36));
            Files.createDirectory(work);
            return new StagingDirectory(target, overwrite, work, missing);
        } catch (IOException e) {
            removeEmpty(missing, parent);
            throw new CheckpointException(out, "cannot create a working directory next to it: " + reason(e), e);
        }
    }

    /** The directory {@link #commit()} creates. */
    Path out() {
        return out;
    }

    /** The hidden directory being written. */
    Path work() {
        return work;
    }

    /** fsyncs every file in the hidden directory, then the directory itself. */
    void sync() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(work)) {
            for (Path f : files) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(work, "cannot sync output files: " + e, e);
        }
        syncDirectory(work);
    }

    /** Renames the hidden directory to {@link #out()} (swapping out an existing one where overwriting). */
    void commit() {
        Path parent = out.getParent();
        try {
            if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                if (!overwrite) {
                    throw new CheckpointException(out, "output already exists (choose another path or overwrite it)");
                }
                swapIn(parent);
            } else {
                Files.move(work, out, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (FileAlreadyExistsException e) {
            throw new CheckpointException(out, "output appeared while merging; refusing to replace it", e);
        } catch (IOException e) {
            throw new CheckpointException(out, "cannot move the finished model into place: " + e, e);
        }
        syncDirectory(parent);
    }

    private void swapIn(Path parent) throws IOException {
        Path old = parent.resolve("." + out.getFileName() + ".old-" + Long.toUnsignedString(RANDOM.nextLong(), 36));
        Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(work, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.move(old, out, StandardCopyOption.ATOMIC_MOVE);
            throw e;
        }
        deleteRecursively(old);
    }

    /** Deletes the hidden directory and the parents {@link #create} made. */
    void discard() {
        try {
            deleteRecursively(work);
        } catch (IOException e) {
            throw new CheckpointException(work, "cannot remove the unfinished output: " + e, e);
        }
        removeEmpty(createdParents, work.getParent());
    }

    /** An I/O failure in words: the JDK's exceptions often carry only the path as their message. */
    private static String reason(IOException e) {
        return switch (e) {
            case AccessDeniedException a -> "permission denied";
            case FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.toString();
        };
    }

    /** Removes {@code from} and its ancestors up to {@code top}, as long as they are empty. */
    private static void removeEmpty(Path top, Path from) {
        if (top == null) {
            return;
        }
        for (Path p = from; p != null && p.startsWith(top); p = p.getParent()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                return;   // not empty (something else was put there meanwhile): leave it
            }
        }
    }

    private static void syncDirectory(Path dir) {
        // fsync of a directory makes renames durable on Linux; other systems may refuse, which is harmless.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
                for (Path p : entries) {
                    deleteRecursively(p);
                }
            }
        }
        Files.delete(root);
    }
}
