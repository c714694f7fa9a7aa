package dev.evomerge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.eval.harness.HarnessDoc;
import dev.evomerge.eval.harness.HarnessSample;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code eval --log-samples FILE.jsonl}: one JSON line per scored document, as lm-evaluation-harness's
 * {@code --log_samples} records it. Written to a temporary file beside FILE and moved into place when all
 * tasks are scored, so a failed run leaves no half-written log.
 */
final class SampleLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path target;
    private final Path tmp;
    private final BufferedWriter out;
    private boolean done;

    SampleLog(Path target) throws IOException {
        this.target = target;
        this.tmp = target.resolveSibling(target.getFileName() + ".tmp");
        this.out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
    }

    void write(String task, HarnessSample s) {
        HarnessDoc d = s.doc();
        ObjectNode line = JSON.createObjectNode();
        line.put("task", task);
        line.put("doc_id", d.index());
        line.put("split", d.split());
        line.put("source", d.file() + ":" + d.line());
        ObjectNode args = line.putObject("arguments");
        args.put("context", d.context());
        d.continuations().forEach(args.withArray("continuations")::add);
        if (!d.choices().isEmpty()) {
            d.choices().forEach(line.withArray("choices")::add);
            d.gold().forEach(line.withArray("gold")::add);
        }
        if (!d.targets().isEmpty()) {
            d.targets().forEach(line.withArray("target")::add);
        }
        if (s.logLikelihoods().length > 0) {
            ArrayNode resps = line.putArray("resps");
            double[] ll = s.logLikelihoods();
            boolean[] g = s.greedy();
            for (int i = 0; i < ll.length; i++) {
                ArrayNode one = resps.addArray().add(ll[i]);
                if (i < g.length) {
                    one.add(g[i]);   // whether greedy decoding writes it (loglikelihood tasks)
                }
            }
        } else {
            line.putArray("resps").add(s.output());
        }
        if (!s.filtered().isEmpty()) {
            ObjectNode f = line.putObject("filtered_resps");
            s.filtered().forEach(f::put);
        }
        ObjectNode scores = line.putObject("scores");
        s.scores().forEach((k, v) -> {
            if (!k.endsWith(":units")) {
                scores.put(k, v);
            }
        });
        try {
            out.write(JSON.writeValueAsString(line));
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Moves the log into place. */
    void commit() throws IOException {
        out.close();
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        done = true;
    }

    @Override
    public void close() throws IOException {
        if (!done) {
            out.close();
            Files.deleteIfExists(tmp);
        }
    }
}
