package dev.evomerge.eval.runtime;

import dev.evomerge.checkpoint.Checkpoint;
import dev.evomerge.checkpoint.TensorView;
import java.nio.file.Path;

/**
 * Where a model's weights come from: a checkpoint on disk, or (later) tensors the merge engine builds in
 * memory. The loader only asks for tensors by their Hugging Face names.
 *
 * {@snippet :
 * try (Checkpoint ckpt = Checkpoint.open(dir)) {
 *     TensorSource src = TensorSource.of(ckpt);
 * }
 * }
 */
public interface TensorSource {

    boolean has(String name);

    /** The named tensor; throws naming the source and the tensor when absent. */
    TensorView tensor(String name);

    /** Names this source in error messages. */
    Path location();

    static TensorSource of(Checkpoint checkpoint) {
        return new TensorSource() {
            @Override
            public boolean has(String name) {
                return checkpoint.has(name);
            }

            @Override
            public TensorView tensor(String name) {
                return checkpoint.tensor(name);
            }

            @Override
            public Path location() {
                return checkpoint.dir();
            }
        };
    }
}
