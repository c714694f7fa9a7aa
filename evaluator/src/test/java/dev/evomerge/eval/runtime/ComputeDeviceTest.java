package dev.evomerge.eval.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code --device}: parsing, and which device each choice becomes on a machine with or without GPUs. */
class ComputeDeviceTest {

    /** A machine as a build sees it: whether its PyTorch has CUDA, and which GPUs it can run on. */
    private record Machine(boolean cudaBuild, Set<Integer> gpus) implements Gpus {
        @Override
        public boolean visible(int index) {
            return gpus.contains(index);
        }
    }

    private static final Machine CPU_BUILD = new Machine(false, Set.of());
    private static final Machine CUDA_BUILD_NO_GPU = new Machine(true, Set.of());
    private static final Machine ONE_GPU = new Machine(true, Set.of(0));
    private static final Machine TWO_GPUS = new Machine(true, Set.of(0, 1));

    /** Fails the test if anything asks it: a CPU run must not look for GPUs (nor make DJL look for CUDA). */
    private static final Gpus UNTOUCHABLE = new Gpus() {
        @Override
        public boolean cudaBuild() {
            throw new AssertionError("asked whether this is a CUDA build");
        }

        @Override
        public boolean visible(int index) {
            throw new AssertionError("asked for GPU " + index);
        }
    };

    @Test
    void parsesCpuGpuIndexedGpuAndAuto() {
        assertEquals(ComputeDevice.CPU, ComputeDevice.parse("cpu"));
        assertEquals(ComputeDevice.AUTO, ComputeDevice.parse("AUTO"));
        assertEquals(ComputeDevice.gpu(0), ComputeDevice.parse("gpu"));
        assertEquals(ComputeDevice.gpu(0), ComputeDevice.parse("cuda"));
        assertEquals(ComputeDevice.gpu(3), ComputeDevice.parse("gpu:3"));
        assertEquals(ComputeDevice.gpu(12), ComputeDevice.parse("cuda:12"));
        assertEquals("gpu:3", ComputeDevice.parse("gpu:3").label());
        assertEquals(Precision.FLOAT16, ComputeDevice.parse("gpu:1", "float16").precision());
        assertEquals(1, ComputeDevice.parse("gpu:1", "float16").gpuIndex());
    }

    @Test
    void aGpuIndexThatIsNotANumberIsRefusedByName() {
        for (String bad : new String[] {"gpu:", "gpu:x", "gpu:-1", "gpu:1.5", "cpu:0", "tpu", "gpu:99999"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> ComputeDevice.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("unknown device '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void cpuIsTakenWithoutAskingForGpus() {
        assertEquals(ComputeDevice.CPU.with(Precision.FLOAT16),
                ComputeDevice.CPU.with(Precision.FLOAT16).resolve(UNTOUCHABLE));
    }

    @Test
    void autoTakesTheFirstGpuWhenVisibleAndTheCpuOtherwise() {
        ComputeDevice auto = ComputeDevice.AUTO.with(Precision.FLOAT16);
        assertEquals(ComputeDevice.gpu(0).with(Precision.FLOAT16), auto.resolve(TWO_GPUS));
        assertEquals(ComputeDevice.CPU.with(Precision.FLOAT16), auto.resolve(CUDA_BUILD_NO_GPU));
        assertEquals(ComputeDevice.CPU.with(Precision.FLOAT16), auto.resolve(CPU_BUILD));
    }

    @Test
    void aVisibleGpuIsTakenAsAskedFor() {
        assertEquals(ComputeDevice.gpu(1), ComputeDevice.gpu(1).resolve(TWO_GPUS));
        assertEquals(ComputeDevice.gpu(0), ComputeDevice.parse("gpu").resolve(ONE_GPU));
    }

    @Test
    void gpuOnTheCpuBuildSaysWhichBuildToUse() {
        var e = assertThrows(IllegalStateException.class, () -> ComputeDevice.GPU.resolve(CPU_BUILD));
        assertEquals("--device gpu:0: no GPU is visible: this is the CPU build, whose PyTorch has no CUDA"
                + " (build and run the CUDA one with EVOMERGE_TORCH=cu124)", e.getMessage());
    }

    @Test
    void gpuOnTheCudaBuildWithoutAGpuSaysNoneIsVisible() {
        var e = assertThrows(IllegalStateException.class, () -> ComputeDevice.GPU.resolve(CUDA_BUILD_NO_GPU));
        assertTrue(e.getMessage().startsWith("--device gpu:0: no GPU is visible to PyTorch (the CUDA build found none"),
                e.getMessage());
    }

    @Test
    void aGpuNumberPastTheLastVisibleOneIsNamed() {
        var e = assertThrows(IllegalStateException.class, () -> ComputeDevice.gpu(2).resolve(TWO_GPUS));
        assertTrue(e.getMessage().startsWith("--device gpu:2: no GPU 2 is visible to PyTorch"), e.getMessage());
    }

    @Test
    void theChoiceLineSaysWhatAutoFound() {
        assertEquals("evomerge: device cpu, float32 (--device auto: no GPU visible)",
                DeviceChoice.of(ComputeDevice.AUTO, CUDA_BUILD_NO_GPU).logLine());
        assertEquals("evomerge: device gpu:0, float16 (--device auto: PyTorch sees a GPU)",
                DeviceChoice.of(ComputeDevice.AUTO.with(Precision.FLOAT16), ONE_GPU).logLine());
        assertEquals("evomerge: device gpu:1, float32", DeviceChoice.of(ComputeDevice.gpu(1), TWO_GPUS).logLine());
        assertEquals("evomerge: device cpu, float32", DeviceChoice.of(ComputeDevice.CPU, UNTOUCHABLE).logLine());
    }

    @Test
    void theCpuBuildInThisProcessSeesNoGpu() {
        assertEquals(false, Gpus.pytorch().cudaBuild(), "the tests run on the CPU build");
        assertEquals(ComputeDevice.CPU, ComputeDevice.AUTO.resolve());
    }
}
