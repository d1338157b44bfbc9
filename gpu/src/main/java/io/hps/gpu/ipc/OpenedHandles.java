package io.hps.gpu.ipc;

import io.hps.gpu.DeviceContext;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import jcuda.driver.CUdeviceptr;

/**
 * The allocations of other processes this context has opened, one mapping per distinct handle: a pooled buffer of
 * a peer is opened on its first use and reused afterwards.
 *
 * <p>Threads: owner thread of the context only. The peer must keep every buffer alive until {@link #close()}.
 */
public final class OpenedHandles implements AutoCloseable {

    private final DeviceContext context;
    private final Map<String, CUdeviceptr> opened = new HashMap<>();

    public OpenedHandles(DeviceContext context) {
        this.context = context;
    }

    /** The base address of the peer allocation named by {@code handleBytes}, opening it on first use. */
    public CUdeviceptr pointer(byte[] handleBytes) {
        context.checkOwner();
        return opened.computeIfAbsent(HexFormat.of().formatHex(handleBytes), k -> IpcMemHandles.open(context, handleBytes));
    }

    /** Distinct handles opened so far. */
    public int size() {
        return opened.size();
    }

    /** Unmaps every opened allocation. */
    @Override
    public void close() {
        opened.values().forEach(p -> IpcMemHandles.close(context, p));
        opened.clear();
    }
}
