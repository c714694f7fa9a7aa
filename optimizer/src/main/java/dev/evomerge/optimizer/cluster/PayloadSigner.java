package dev.evomerge.optimizer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals payloads into signed envelopes and opens them: an envelope is a JSON string {@code {"kind", "run", "body",
 * "mac"}} whose MAC is HMAC-SHA256, keyed by the cluster's secret, over the kind, the run's id and the body's bytes.
 * So a member without the secret can neither forge a task or a result nor move one from one run to another. It
 * does not hide anything: the body travels in clear.
 *
 * {@snippet :
 * PayloadSigner signer = new PayloadSigner(secret);
 * String envelope = signer.seal("task", runId, bodyJson);
 * PayloadSigner.Opened opened = signer.open(envelope);   // throws ForgedPayloadException if the MAC is wrong
 * }
 */
public final class PayloadSigner {

    /** An envelope whose MAC verified. */
    public record Opened(String kind, String run, String body) {}

    /** An envelope that is not ours: malformed, or its MAC does not verify with our secret. */
    public static final class ForgedPayloadException extends Exception {
        private static final long serialVersionUID = 1L;

        ForgedPayloadException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SecretKeySpec key;

    public PayloadSigner(ClusterSecret secret) {
        this.key = new SecretKeySpec(secret.key(), "HmacSHA256");
    }

    /** The envelope of {@code body}, of the given kind, for run {@code run} ({@code ""} for messages of no run). */
    public String seal(String kind, String run, String body) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", kind);
        n.put("run", run);
        n.put("body", body);
        n.put("mac", HexFormat.of().formatHex(mac(kind, run, body)));
        return n.toString();
    }

    /** The envelope's contents, once its MAC has verified. */
    public Opened open(String envelope) throws ForgedPayloadException {
        JsonNode n;
        try {
            n = JSON.readTree(envelope);
        } catch (IOException e) {
            throw new ForgedPayloadException("not a signed envelope (unreadable JSON)");
        }
        if (n == null || !n.path("kind").isTextual() || !n.path("run").isTextual() || !n.path("body").isTextual()
                || !n.path("mac").isTextual()) {
            throw new ForgedPayloadException("not a signed envelope (kind, run, body and mac expected)");
        }
        String kind = n.get("kind").asText();
        String run = n.get("run").asText();
        String body = n.get("body").asText();
        byte[] given;
        try {
            given = HexFormat.of().parseHex(n.get("mac").asText());
        } catch (IllegalArgumentException e) {
            throw new ForgedPayloadException("its MAC is not hexadecimal");
        }
        if (!MessageDigest.isEqual(given, mac(kind, run, body))) {
            throw new ForgedPayloadException("its MAC does not verify (signed with another secret, or altered)");
        }
        return new Opened(kind, run, body);
    }

    private byte[] mac(String kind, String run, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            // Lengths first, so that no two (kind, run, body) triples share the bytes the MAC covers.
            for (String part : new String[] {kind, run, body}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                mac.update(java.nio.ByteBuffer.allocate(8).putLong(bytes.length).array());
                mac.update(bytes);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
