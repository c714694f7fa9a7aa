package dev.evomerge.cli;

import dev.evomerge.eval.harness.HarnessTask;
import dev.evomerge.eval.harness.LocalDatasets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data-dir} and {@code --num-fewshot}: how lm-evaluation-harness task files are compiled. */
final class TaskOptions {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "where lm-evaluation-harness tasks' hub datasets are: DIR/<dataset_path>/<dataset_name>/<split>.jsonl"
                    + " (default: $" + LocalDatasets.DATA_DIR_ENV + ")")
    private Path dataDir;

    @Option(names = "--num-fewshot", paramLabel = "N", defaultValue = "-1",
            description = "few-shot examples per prompt, overriding the task files' num_fewshot")
    private int numFewshot;

    HarnessTask.Options options() {
        HarnessTask.Options d = HarnessTask.Options.defaults();
        return new HarnessTask.Options(dataDir != null ? dataDir : d.dataDir(), numFewshot);
    }
}
