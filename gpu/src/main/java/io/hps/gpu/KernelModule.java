package io.hps.gpu;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

/**
 * A PTX module loaded from the classpath resource {@code /io/hps/gpu/kernels/<name>.ptx} (compiled from
 * {@code gpu/src/main/cuda/<name>.cu}); the driver JIT-compiles it for the device on load.
 *
 * <p>Threads: owner thread of its device only.
 */
public final class KernelModule {

    static final String RESOURCE_DIRECTORY = "/io/hps/gpu/kernels/";

    private final String name;
    private final CUmodule module;
    private final Map<String, CUfunction> functions = new HashMap<>();

    private KernelModule(String name, CUmodule module) {
        this.name = name;
        this.module = module;
    }

    static KernelModule load(String name) {
        byte[] ptx = ptx(name);
        byte[] terminated = Arrays.copyOf(ptx, ptx.length + 1);
        CUmodule module = new CUmodule();
        cuModuleLoadData(module, terminated);
        return new KernelModule(name, module);
    }

    /** The PTX text of module {@code name}, as bytes. */
    public static byte[] ptx(String name) {
        String path = RESOURCE_DIRECTORY + name + ".ptx";
        try (InputStream in = KernelModule.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new GpuException("PTX resource missing: path=" + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new GpuException("PTX resource unreadable: path=" + path, e);
        }
    }

    public String name() {
        return name;
    }

    /** The kernel {@code entry} (an {@code extern "C"} name), looked up once. */
    public CUfunction function(String entry) {
        return functions.computeIfAbsent(entry, e -> {
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, module, e);
            return f;
        });
    }

    void close() {
        functions.clear();
        cuModuleUnload(module);
    }
}
