package dev.evomerge.eval.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * Where the decoder runs: {@code --device cpu|gpu|auto}. {@code auto} takes the first GPU when the engine
 * sees one.
 *
 * {@snippet :
 * ai.djl.Device d = ComputeDevice.parse("auto").resolve();
 * }
 */
public enum ComputeDevice {
    CPU, GPU, AUTO;

    public static ComputeDevice parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "cpu" -> CPU;
            case "gpu", "cuda" -> GPU;
            case "auto" -> AUTO;
            default -> throw new IllegalArgumentException("unknown device '" + s + "' (expected cpu, gpu or auto)");
        };
    }

    /** The DJL device; GPU without one present is an error rather than a silent CPU run. */
    public Device resolve() {
        int gpus = Engine.getInstance().getGpuCount();
        return switch (this) {
            case CPU -> Device.cpu();
            case GPU -> {
                if (gpus == 0) {
                    throw new IllegalStateException("--device gpu: the PyTorch engine sees no GPU");
                }
                yield Device.gpu();
            }
            case AUTO -> gpus > 0 ? Device.gpu() : Device.cpu();
        };
    }
}
