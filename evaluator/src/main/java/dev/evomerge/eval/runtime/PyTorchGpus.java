package dev.evomerge.eval.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.LibUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Gpus} as the loaded libtorch answers: its {@code CUDA} capability is {@code torch::cuda::is_available()},
 * which is true when PyTorch's own CUDA runtime finds a device. A GPU past the first is tried by placing one
 * number on it. Answers are kept: every model load asks again.
 */
final class PyTorchGpus implements Gpus {

    static final PyTorchGpus INSTANCE = new PyTorchGpus();

    private final Map<Integer, Boolean> visible = new ConcurrentHashMap<>();

    private PyTorchGpus() {
    }

    @Override
    public boolean cudaBuild() {
        Engine.getInstance();   // loads libtorch, so that its folder is known
        return Files.exists(Path.of(LibUtils.getLibtorchPath()).resolve("libtorch_cuda.so"));
    }

    @Override
    public boolean visible(int index) {
        return visible.computeIfAbsent(index, PyTorchGpus::probe);
    }

    private static boolean probe(int index) {
        if (!Engine.getInstance().hasCapability(StandardCapabilities.CUDA)) {
            return false;
        }
        if (index == 0) {
            return true;
        }
        try (NDManager m = NDManager.newBaseManager(Device.gpu(index))) {
            m.zeros(new Shape(1)).toFloatArray();
            return true;
        } catch (EngineException e) {
            return false;
        }
    }
}
