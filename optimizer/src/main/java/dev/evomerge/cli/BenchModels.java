package dev.evomerge.cli;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the search benches score: a generated Llama-shaped base with three seeded fine-tunes ({@code base},
 * {@code ft1}..{@code ft3}) and a log-likelihood task {@code lm.yaml} of {@code rows} search rows, in one folder.
 */
final class BenchModels {

    private BenchModels() {
    }

    /**
     * Writes the models and the task into {@code dir}.
     *
     * @param sentence what every row says after its number
     */
    static void write(Path dir, int layers, int hidden, int rows, String sentence) throws IOException {
        Path base = SyntheticCheckpoints.llama(dir.resolve("base"), layers, hidden, 2 * hidden, 64, DType.F32, 1);
        for (int k = 1; k <= 3; k++) {
            SyntheticCheckpoints.fineTune(base, dir.resolve("ft" + k), 0.05f, k + 1);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            text.append("{\"text\": \"row ").append(i).append(" says ").append(sentence)
                    .append("\", \"split\": \"search\"}\n");
        }
        Files.writeString(dir.resolve("rows.jsonl"), text);
        Files.writeString(dir.resolve("lm.yaml"), "name: lm\ntype: loglik\ndata: rows.jsonl\n");
    }
}
