package io.hps.gpu.ipc;

import io.hps.gpu.DeviceContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;

/**
 * What this context has opened of other processes' IPC handles, one object per distinct handle: a
 * peer's pooled buffer ({@link #memory}) or interprocess event ({@link #events}) is opened on its
 * first use and reused afterwards. A lookup compares the handle with those opened so far (a peer
 * exports a handful) and allocates nothing once the handle is open.
 *
 * <p>Threads: owner thread of the context only. The peer must keep every buffer and event alive
 * until {@link #close()}.
 *
 * @param <T> what an opened handle is: a device address or an event
 */
public final class OpenedHandles<T> implements AutoCloseable {

    private final DeviceContext context;
    private final BiFunction<DeviceContext, byte[], T> open;
    private final BiConsumer<DeviceContext, T> close;
    private final List<byte[]> handles = new ArrayList<>();
    private final List<T> opened = new ArrayList<>();

    private OpenedHandles(DeviceContext context, BiFunction<DeviceContext, byte[], T> open,
                          BiConsumer<DeviceContext, T> close) {
        this.context = context;
        this.open = open;
        this.close = close;
    }

    /** Peer allocations ({@link IpcMemHandles}), each opened as its base address. */
    public static OpenedHandles<CUdeviceptr> memory(DeviceContext context) {
        return new OpenedHandles<>(context, IpcMemHandles::open, IpcMemHandles::close);
    }

    /** Peer interprocess events ({@link IpcEvents}). */
    public static OpenedHandles<CUevent> events(DeviceContext context) {
        return new OpenedHandles<>(context, IpcEvents::open, IpcEvents::destroy);
    }

    /** What {@code handleBytes} names, opening it on first use. */
    public T open(byte[] handleBytes) {
        context.checkOwner();
        for (int i = 0; i < handles.size(); i++) {
            if (Arrays.equals(handles.get(i), handleBytes)) {
                return opened.get(i);
            }
        }
        T object = open.apply(context, handleBytes);
        handles.add(handleBytes.clone());
        opened.add(object);
        return object;
    }

    /** Distinct handles opened so far. */
    public int size() {
        return opened.size();
    }

    /** Closes every opened handle (unmaps the allocations, destroys the events). */
    @Override
    public void close() {
        opened.forEach(o -> close.accept(context, o));
        opened.clear();
        handles.clear();
    }
}
