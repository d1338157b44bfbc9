package io.hps.update;

import java.util.function.Consumer;

/**
 * Carries {@link UpdateNotice}s between the replicas that serve the same models. Implementations:
 * {@link LocalUpdateChannel} (replicas in one process, and single-replica deployments) and
 * {@link RedisUpdateChannel} (Redis pub/sub).
 */
public interface UpdateChannel extends AutoCloseable {

    /** Sends a notice to every subscriber, including the publisher's own (which skip it by origin). */
    void publish(UpdateNotice notice);

    /** Registers a listener, called on the channel's thread for each notice. */
    void subscribe(Consumer<UpdateNotice> listener);

    @Override
    void close();
}
