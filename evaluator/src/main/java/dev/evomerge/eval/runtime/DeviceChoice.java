package dev.evomerge.eval.runtime;

import java.util.Objects;

/**
 * The device a run asked for and the one it got, said once at the start of the run (and kept in a search's
 * {@code launch.json}), so that a run on {@code auto} shows whether it found the GPU.
 *
 * {@snippet :
 * DeviceChoice choice = DeviceChoice.of(ComputeDevice.AUTO);
 * System.err.println(choice.logLine());   // evomerge: device cpu, float32 (--device auto: no GPU visible)
 * }
 *
 * @param requested what {@code --device} said
 * @param used      the concrete device (CPU or one GPU)
 */
public record DeviceChoice(ComputeDevice requested, ComputeDevice used) {

    public DeviceChoice {
        Objects.requireNonNull(requested, "requested");
        Objects.requireNonNull(used, "used");
        if (used.kind() == ComputeDevice.Kind.AUTO) {
            throw new IllegalArgumentException("the device used must be concrete, got auto");
        }
    }

    /** {@code requested}, resolved by the PyTorch engine of this process. */
    public static DeviceChoice of(ComputeDevice requested) {
        return of(requested, Gpus.pytorch());
    }

    /** {@code requested}, resolved against {@code gpus}. */
    public static DeviceChoice of(ComputeDevice requested, Gpus gpus) {
        return new DeviceChoice(requested, requested.resolve(gpus));
    }

    /** One line for the run's log: the device taken, its precision, and why when {@code auto} chose. */
    public String logLine() {
        String line = "evomerge: device " + used.label() + ", " + used.precision().label();
        if (requested.kind() == ComputeDevice.Kind.AUTO) {
            line += used.kind() == ComputeDevice.Kind.GPU ? " (--device auto: PyTorch sees a GPU)"
                    : " (--device auto: no GPU visible)";
        }
        return line;
    }
}
