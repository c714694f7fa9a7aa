package dev.evomerge.eval.runtime;

import ai.djl.Device;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the decoder runs and in which float type: {@code --device cpu|gpu|gpu:N|auto} and
 * {@code --precision float32|float16}. {@code gpu} is {@code gpu:0}; {@code auto} takes GPU 0 when PyTorch can run
 * on it and the CPU otherwise. A GPU that is asked for and not there is an error, never a silent CPU run.
 *
 * {@snippet :
 * ComputeDevice asked = ComputeDevice.parse("auto");
 * ComputeDevice used = asked.resolve();            // CPU or gpu:0; asks PyTorch, never CUDA's runtime
 * ai.djl.Device d = used.djlDevice();
 * ComputeDevice halfOnSecondGpu = ComputeDevice.gpu(1).with(Precision.FLOAT16);
 * }
 *
 * @param kind      which device
 * @param gpuIndex  the GPU's index for {@link Kind#GPU}, 0 otherwise
 * @param precision the weights' and activations' float type on it
 */
public record ComputeDevice(Kind kind, int gpuIndex, Precision precision) {

    /** Which device. */
    public enum Kind { CPU, GPU, AUTO }

    public static final ComputeDevice CPU = new ComputeDevice(Kind.CPU, 0, Precision.FLOAT32);
    public static final ComputeDevice GPU = gpu(0);
    public static final ComputeDevice AUTO = new ComputeDevice(Kind.AUTO, 0, Precision.FLOAT32);

    public ComputeDevice {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(precision, "precision");
        if (gpuIndex < 0 || (kind != Kind.GPU && gpuIndex != 0)) {
            throw new IllegalArgumentException("GPU index " + gpuIndex + " for device " + kind);
        }
    }

    /** GPU number {@code index}, in float32. */
    public static ComputeDevice gpu(int index) {
        return new ComputeDevice(Kind.GPU, index, Precision.FLOAT32);
    }

    /** {@code cpu}, {@code gpu} (or {@code cuda}), {@code gpu:N} (or {@code cuda:N}) or {@code auto}, in float32. */
    public static ComputeDevice parse(String s) {
        String v = s.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "cpu" -> CPU;
            case "gpu", "cuda" -> GPU;
            case "auto" -> AUTO;
            default -> {
                int colon = v.indexOf(':');
                String prefix = colon < 0 ? v : v.substring(0, colon);
                if (colon > 0 && (prefix.equals("gpu") || prefix.equals("cuda"))) {
                    yield gpu(index(s, v.substring(colon + 1)));
                }
                throw new IllegalArgumentException("unknown device '" + s + "' (expected cpu, gpu, gpu:N or auto)");
            }
        };
    }

    private static int index(String device, String digits) {
        if (digits.isEmpty() || digits.length() > 4 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("unknown device '" + device + "' (a GPU index is a number: gpu:0, gpu:1, ...)");
        }
        return Integer.parseInt(digits);
    }

    /** The device {@link #parse(String) parsed} from {@code device}, computing in {@code precision}. */
    public static ComputeDevice parse(String device, String precision) {
        return parse(device).with(Precision.parse(precision));
    }

    public ComputeDevice with(Precision p) {
        return new ComputeDevice(kind, gpuIndex, p);
    }

    /** How {@code --device} spells it: {@code cpu}, {@code gpu:N} or {@code auto}. */
    public String label() {
        return switch (kind) {
            case CPU -> "cpu";
            case GPU -> "gpu:" + gpuIndex;
            case AUTO -> "auto";
        };
    }

    /** The concrete device this one stands for, as this build's PyTorch sees the machine. */
    public ComputeDevice resolve() {
        return resolve(Gpus.pytorch());
    }

    /**
     * The concrete device this one stands for: the CPU is taken without asking anything (so a CPU run never
     * touches CUDA), {@code auto} becomes GPU 0 or the CPU, and a GPU that {@code gpus} cannot see is an error
     * that says why in one line.
     */
    public ComputeDevice resolve(Gpus gpus) {
        return switch (kind) {
            case CPU -> this;
            case AUTO -> gpus.visible(0) ? gpu(0).with(precision) : CPU.with(precision);
            case GPU -> {
                if (!gpus.visible(gpuIndex)) {
                    throw new IllegalStateException("--device " + label() + ": " + whyNotVisible(gpus));
                }
                yield this;
            }
        };
    }

    private String whyNotVisible(Gpus gpus) {
        if (!gpus.cudaBuild()) {
            return "no GPU is visible: this is the CPU build, whose PyTorch has no CUDA"
                    + " (build and run the CUDA one with EVOMERGE_TORCH=cu124)";
        }
        if (gpuIndex > 0 && gpus.visible(0)) {
            return "no GPU " + gpuIndex + " is visible to PyTorch (GPUs are numbered from 0; CUDA_VISIBLE_DEVICES"
                    + " renumbers them)";
        }
        return "no GPU is visible to PyTorch (the CUDA build found none: no NVIDIA driver, or CUDA_VISIBLE_DEVICES"
                + " hides them)";
    }

    /** The DJL device of this one {@link #resolve() resolved}. */
    public Device djlDevice() {
        ComputeDevice d = resolve();
        return d.kind == Kind.GPU ? Device.gpu(d.gpuIndex) : Device.cpu();
    }
}
