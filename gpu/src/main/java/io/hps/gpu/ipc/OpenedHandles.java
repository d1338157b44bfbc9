package io.hps.gpu.ipc;

import io.hps.gpu.DeviceContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jcuda.driver.CUdeviceptr;

/**
 * The allocations of other processes this context has opened, one mapping per distinct handle: a pooled buffer of
 * a peer is opened on its first use and reused afterwards. A lookup compares the handle with those opened so far
 * (a peer exports a handful of buffers) and allocates nothing once the handle is open.
 *
 * <p>Threads: owner thread of the context only. The peer must keep every buffer alive until {@link #close()}.
 */
public final class OpenedHandles implements AutoCloseable {

    private final DeviceContext context;
    private final List<byte[]> handles = new ArrayList<>();
    private final List<CUdeviceptr> opened = new ArrayList<>();

    public OpenedHandles(DeviceContext context) {
        this.context = context;
    }

    /** The base address of the peer allocation named by {@code handleBytes}, opening it on first use. */
    public CUdeviceptr pointer(byte[] handleBytes) {
        context.checkOwner();
        for (int i = 0; i < handles.size(); i++) {
            if (Arrays.equals(handles.get(i), handleBytes)) {
                return opened.get(i);
            }
        }
        CUdeviceptr pointer = IpcMemHandles.open(context, handleBytes);
        handles.add(handleBytes.clone());
        opened.add(pointer);
        return pointer;
    }

    /** Distinct handles opened so far. */
    public int size() {
        return opened.size();
    }

    /** Unmaps every opened allocation. */
    @Override
    public void close() {
        opened.forEach(p -> IpcMemHandles.close(context, p));
        opened.clear();
        handles.clear();
    }
}
