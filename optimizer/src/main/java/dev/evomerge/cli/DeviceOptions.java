package dev.evomerge.cli;

import dev.evomerge.eval.runtime.ComputeDevice;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --device} and {@code --precision}, shared by every command that runs models. */
final class DeviceOptions {

    @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu (= gpu:0), gpu:N or auto (default: ${DEFAULT-VALUE}: GPU 0 when PyTorch sees one)")
    private String device;

    @Option(names = "--precision", defaultValue = "float32",
            description = "float32 or float16 compute (default: ${DEFAULT-VALUE})")
    private String precision;

    /** Parsed; an unknown value is a one-line error naming it. */
    ComputeDevice computeDevice() {
        return ComputeDevice.parse(device, precision);
    }

    /** The same options as command-line arguments, for a command that launches another. */
    List<String> asArguments() {
        return List.of("--device", device, "--precision", precision);
    }
}
