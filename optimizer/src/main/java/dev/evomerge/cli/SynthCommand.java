package dev.evomerge.cli;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code evomerge synth-model}: writes a Llama-shaped checkpoint with pseudo-random weights, or a "fine-tune"
 * of one (the base plus a small seeded task vector). For benchmarks and trying recipes without real models.
 */
@Command(name = "synth-model", mixinStandardHelpOptions = true,
        description = "Write a Llama-shaped checkpoint with pseudo-random weights (for benchmarks and tests).")
final class SynthCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR")
    private Path out;

    @Option(names = "--fine-tune-of", paramLabel = "BASE",
            description = "write BASE plus a seeded task vector of size --scale instead of a new model")
    private Path base;

    @Option(names = "--scale", defaultValue = "0.01", description = "task vector size (default: ${DEFAULT-VALUE})")
    private float scale;

    @Option(names = "--layers", defaultValue = "2")
    private int layers;

    @Option(names = "--hidden", defaultValue = "64")
    private int hidden;

    @Option(names = "--intermediate", defaultValue = "172")
    private int intermediate;

    @Option(names = "--vocab", defaultValue = "256")
    private int vocab;

    @Option(names = "--dtype", defaultValue = "bfloat16", description = "float32, float16 or bfloat16")
    private String dtype;

    @Option(names = "--seed", defaultValue = "1")
    private long seed;

    @Override
    public Integer call() {
        if (base != null) {
            SyntheticCheckpoints.fineTune(base, out, scale, seed);
        } else {
            SyntheticCheckpoints.llama(out, layers, hidden, intermediate, vocab, DType.fromTorchName(dtype), seed);
        }
        System.out.println("wrote " + out);
        return 0;
    }
}
