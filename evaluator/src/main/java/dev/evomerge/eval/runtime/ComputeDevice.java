package dev.evomerge.eval.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the decoder runs and in which float type: {@code --device cpu|gpu|auto} and
 * {@code --precision float32|float16}. {@code auto} takes the first GPU when the engine sees one.
 *
 * {@snippet :
 * ai.djl.Device d = ComputeDevice.parse("auto").resolve();
 * ComputeDevice halfOnGpu = ComputeDevice.GPU.with(Precision.FLOAT16);
 * }
 *
 * @param kind      which device
 * @param precision the weights' and activations' float type on it
 */
public record ComputeDevice(Kind kind, Precision precision) {

    /** Which device. */
    public enum Kind { CPU, GPU, AUTO }

    public static final ComputeDevice CPU = new ComputeDevice(Kind.CPU, Precision.FLOAT32);
    public static final ComputeDevice GPU = new ComputeDevice(Kind.GPU, Precision.FLOAT32);
    public static final ComputeDevice AUTO = new ComputeDevice(Kind.AUTO, Precision.FLOAT32);

    public ComputeDevice {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(precision, "precision");
    }

    /** {@code cpu}, {@code gpu} (or {@code cuda}) or {@code auto}, in float32. */
    public static ComputeDevice parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "cpu" -> CPU;
            case "gpu", "cuda" -> GPU;
            case "auto" -> AUTO;
            default -> throw new IllegalArgumentException("unknown device '" + s + "' (expected cpu, gpu or auto)");
        };
    }

    /** The device {@link #parse(String) parsed} from {@code device}, computing in {@code precision}. */
    public static ComputeDevice parse(String device, String precision) {
        return parse(device).with(Precision.parse(precision));
    }

    public ComputeDevice with(Precision p) {
        return new ComputeDevice(kind, p);
    }

    /** The DJL device; GPU without one present is an error rather than a silent CPU run. */
    public Device resolve() {
        int gpus = Engine.getInstance().getGpuCount();
        return switch (kind) {
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
