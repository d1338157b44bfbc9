package io.hps.gpu;

/** Work run on a device's owner thread with that device's context current. */
@FunctionalInterface
public interface DeviceTask<T> {
    T run(DeviceContext context) throws Exception;
}
