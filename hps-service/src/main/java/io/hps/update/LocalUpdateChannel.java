package io.hps.update;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Delivers notices synchronously to the listeners of this process. */
public final class LocalUpdateChannel implements UpdateChannel {
    private final List<Consumer<UpdateNotice>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public void publish(UpdateNotice notice) {
        listeners.forEach(l -> l.accept(notice));
    }

    @Override
    public void subscribe(Consumer<UpdateNotice> listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
