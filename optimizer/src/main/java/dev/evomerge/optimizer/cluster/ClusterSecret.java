package dev.evomerge.optimizer.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The secret a search and its workers share: the key of every payload's MAC. It comes from a file that only its
 * owner may read (mode 0600, checked), or from {@value #ENVIRONMENT}. Without one, payloads are still signed, with a
 * fixed key that only tells a loopback cluster's runs apart; binding beyond loopback requires a real secret.
 *
 * {@snippet :
 * ClusterSecret secret = ClusterSecret.resolve(Path.of("/home/me/.evomerge/secret"), System.getenv());
 * }
 */
public final class ClusterSecret {

    /** The environment variable that may hold the secret instead of a file. */
    public static final String ENVIRONMENT = "EVOMERGE_CLUSTER_SECRET";

    private static final byte[] LOOPBACK_KEY = "evomerge loopback cluster (no secret)".getBytes(StandardCharsets.UTF_8);
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private final byte[] key;
    private final boolean given;

    private ClusterSecret(byte[] key, boolean given) {
        this.key = key;
        this.given = given;
    }

    /** No secret: loopback only. */
    public static ClusterSecret none() {
        return new ClusterSecret(LOOPBACK_KEY, false);
    }

    /** A secret given as text (from the environment, or a test). */
    public static ClusterSecret of(String text) {
        String trimmed = text.strip();
        if (trimmed.length() < 16) {
            throw new IllegalArgumentException("the cluster secret must be at least 16 characters long");
        }
        return new ClusterSecret(trimmed.getBytes(StandardCharsets.UTF_8), true);
    }

    /**
     * The secret in {@code file}: its first line, the file readable and writable by its owner only (mode 0600 or
     * 0400), so that nobody else on the machine can sign tasks or results.
     */
    public static ClusterSecret fromFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": secret file not found");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(perms)) {
                throw new IllegalArgumentException(file + ": the secret file must be readable by its owner only"
                        + " (chmod 600 " + file + "), it is " + java.nio.file.attribute.PosixFilePermissions.toString(perms));
            }
            String text = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
            try {
                return of(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the secret file: " + e.getMessage(), e);
        }
    }

    /** The file's secret when a file is named, else {@value #ENVIRONMENT} when set, else {@link #none()}. */
    public static ClusterSecret resolve(Path file, java.util.Map<String, String> environment) {
        if (file != null) {
            return fromFile(file);
        }
        String text = environment.get(ENVIRONMENT);
        if (text != null && !text.isBlank()) {
            try {
                return of(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ENVIRONMENT + ": " + e.getMessage(), e);
            }
        }
        return none();
    }

    /** Whether a real secret was given (a cluster may then bind beyond loopback). */
    public boolean isGiven() {
        return given;
    }

    byte[] key() {
        return Arrays.copyOf(key, key.length);
    }

    @Override
    public String toString() {
        return given ? "ClusterSecret[given]" : "ClusterSecret[none]";
    }
}
