package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.runtime.Gpus;
import dev.evomerge.eval.runtime.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which device each of {@code --workers N} takes, on a machine whose GPUs the test makes up. */
class LocalWorkersTest {

    /** A machine with {@code count} GPUs that PyTorch sees. */
    record FakeGpus(int count) implements Gpus {
        @Override
        public boolean cudaBuild() {
            return count > 0;
        }

        @Override
        public boolean visible(int index) {
            return index < count;
        }
    }

    @Test
    void onTheCpuEveryWorkerTakesTheCpu() {
        assertEquals(List.of(ComputeDevice.CPU, ComputeDevice.CPU, ComputeDevice.CPU),
                LocalWorkers.devices(ComputeDevice.CPU, 3, new FakeGpus(4)));
    }

    @Test
    void onAGpuWorkerKTakesGpuK() {
        ComputeDevice half = ComputeDevice.gpu(0).with(Precision.FLOAT16);
        assertEquals(List.of(half, ComputeDevice.gpu(1).with(Precision.FLOAT16), ComputeDevice.gpu(2).with(Precision.FLOAT16)),
                LocalWorkers.devices(half, 3, new FakeGpus(3)), "every GPU, in the search's precision");
        assertEquals(List.of(ComputeDevice.gpu(2), ComputeDevice.gpu(3)),
                LocalWorkers.devices(ComputeDevice.gpu(2), 2, new FakeGpus(4)), "counting up from the one asked for");
    }

    @Test
    void moreWorkersThanGpusIsAOneLineError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalWorkers.devices(ComputeDevice.gpu(0), 3, new FakeGpus(2)));
        assertEquals("--workers 3 on gpu:0: a local worker per GPU needs gpu:0 to gpu:2, and PyTorch does not see gpu:2"
                + " (start workers by hand to put several on one GPU)", e.getMessage());
    }
}
