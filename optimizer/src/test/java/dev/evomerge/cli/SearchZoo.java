package dev.evomerge.cli;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the CLI's search tests search: a tiny base, two fine-tunes of it, and a loglik task of three rows. */
final class SearchZoo {

    private SearchZoo() {}

    /** Writes {@code base}, {@code ft1} and {@code ft2} into {@code dir}; returns the base's folder. */
    static Path models(Path dir) throws IOException {
        Path base = SyntheticCheckpoints.llama(dir.resolve("base"), 2, 32, 64, 64, DType.F32, 1);
        SyntheticCheckpoints.fineTune(base, dir.resolve("ft1"), 0.05f, 2);
        SyntheticCheckpoints.fineTune(base, dir.resolve("ft2"), 0.05f, 3);
        return base;
    }

    /** {@link #models} plus {@code lm.yaml} over {@code rows.jsonl}: two search rows and one test row. */
    static void modelsAndTask(Path dir) throws IOException {
        models(dir);
        Files.writeString(dir.resolve("rows.jsonl"), """
                {"text": "one two three", "split": "search"}
                {"text": "four five six", "split": "search"}
                {"text": "seven eight", "split": "test"}
                """);
        Files.writeString(dir.resolve("lm.yaml"), "name: lm\ntype: loglik\ndata: rows.jsonl\n");
    }
}
