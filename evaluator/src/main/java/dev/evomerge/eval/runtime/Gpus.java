package dev.evomerge.eval.runtime;

/**
 * Which GPUs this build's PyTorch can run on. DJL's own count asks the CUDA runtime that the system's library path
 * happens to hold (not the one PyTorch ships with) and logs a warning whenever that fails, so the answer here
 * comes from PyTorch itself.
 *
 * {@snippet :
 * boolean gpu = Gpus.pytorch().visible(0);
 * }
 */
public interface Gpus {

    /** Whether this build's PyTorch was built with CUDA ({@code EVOMERGE_TORCH=cu124}). */
    boolean cudaBuild();

    /** Whether PyTorch can run on GPU {@code index}. */
    boolean visible(int index);

    /** The answer of the PyTorch engine this process loads. */
    static Gpus pytorch() {
        return PyTorchGpus.INSTANCE;
    }
}
