package io.hps.transport.gpu;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A one-thread Netty epoll event loop that polls ({@code epoll_wait} with a zero timeout) instead of sleeping for
 * {@code spinMicros} after its last I/O event or task, then sleeps in {@code epoll_wait} as usual: a message or a
 * task that arrives while it polls is picked up without a thread wake-up. Meant for the loopback connection of the
 * same-host ensemble, where a request's round trip is shorter than the spin; it occupies one core while it polls.
 *
 * <p>While polling, tasks from other threads are seen on the next turn of the loop (no eventfd write is needed);
 * once it sleeps, Netty's usual wake-up applies, so nothing waits longer than with a plain event loop.
 *
 * <p>The epoll transport is a runtime dependency; it is reached by reflection and, where it is missing or not
 * available (not Linux), {@link #create} answers empty and callers keep reactor-netty's default loops.
 */
public final class SpinningEventLoop {

    private SpinningEventLoop() {
    }

    /** A one-thread spinning epoll loop named {@code name}, or empty without native epoll. */
    public static Optional<EventLoopGroup> create(String name, long spinMicros) {
        if (spinMicros < 0) {
            throw new IllegalArgumentException("spinMicros must be >= 0: spinMicros=" + spinMicros);
        }
        try {
            Class<?> epoll = Class.forName("io.netty.channel.epoll.Epoll");
            if (!(Boolean) epoll.getMethod("isAvailable").invoke(null)) {
                return Optional.empty();
            }
            long spinNanos = TimeUnit.MICROSECONDS.toNanos(spinMicros);
            SelectStrategyFactory strategies = () -> new SpinThenSelect(spinNanos);
            IoHandlerFactory handlers = (IoHandlerFactory) Class.forName("io.netty.channel.epoll.EpollIoHandler")
                    .getMethod("newFactory", int.class, SelectStrategyFactory.class).invoke(null, 0, strategies);
            return Optional.of(new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true), handlers));
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** Polls while there was work within the last {@code spinNanos}, otherwise lets the handler sleep. */
    private static final class SpinThenSelect implements SelectStrategy {

        private final long spinNanos;
        private long lastWork = System.nanoTime();

        SpinThenSelect(long spinNanos) {
            this.spinNanos = spinNanos;
        }

        @Override
        public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
            int ready = selectNow.get();
            long now = System.nanoTime();
            if (ready > 0 || hasTasks) {
                lastWork = now;
                return ready;
            }
            if (now - lastWork < spinNanos) {
                Thread.onSpinWait();
                return 0;
            }
            return SelectStrategy.SELECT;
        }
    }
}
