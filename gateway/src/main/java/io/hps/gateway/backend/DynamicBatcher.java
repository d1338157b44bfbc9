package io.hps.gateway.backend;

import io.hps.gateway.repository.DynamicBatching;
import io.hps.gateway.stats.ModelStatistics;
import io.hps.wire.RequestContext;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Triton-style dynamic batching and admission for one model. Requests wait in a bounded FIFO queue;
 * a batch leaves when the queued samples reach {@code max_batch_size} or a preferred batch size,
 * or when the oldest request has waited {@code max_queue_delay_us}, and only while fewer than
 * {@code max_inflight_batches} batches are at the backend. A request that finds the queue full is
 * refused at once with 429 and {@code Retry-After}.
 *
 * <p>Deadlines and cancellation: the earliest deadline of a batch travels in its frame for the
 * backend; the gateway enforces each request's deadline by cancelling the request (the caller's
 * {@code timeout}). A cancelled request leaves the queue; once every request of a batch in flight
 * is cancelled, the backend request is disposed, which sends RSocket CANCEL to the backend. The
 * backend timeout bounds every batch.
 *
 * <p>Buffer ownership: payload buffers stay the submitter's and must stay readable until the
 * returned {@code Mono} terminates or is cancelled; the emitted result belongs to the subscriber.
 * Thread-safe: state changes under this object's lock, callbacks run outside it.
 *
 * @param <P> the payload of one request
 */
public final class DynamicBatcher<P> {
    private final String backendModel;
    private final DynamicBatching settings;
    private final int maxBatch;
    private final boolean merge;
    private final BatchCodec<P> codec;
    private final BackendClient client;
    private final Duration backendTimeout;
    private final ModelStatistics statistics;
    private final ScheduledExecutorService timer;
    private final AtomicLong requestIds;
    private final ArrayDeque<Item<P>> queue = new ArrayDeque<>();
    private int queuedSamples;
    private int inflight;
    private ScheduledFuture<?> flush;

    /**
     * @param maxBatch       samples in one batch at most
     * @param merge          whether several requests may share a batch; otherwise each goes alone
     * @param backendTimeout longest wait for the backend's answer to one batch
     * @param timer          runs queue-delay flushes; shared, never blocked
     */
    DynamicBatcher(String backendModel, DynamicBatching settings, int maxBatch, boolean merge, BatchCodec<P> codec,
                   BackendClient client, Duration backendTimeout, ModelStatistics statistics,
                   ScheduledExecutorService timer, AtomicLong requestIds) {
        this.backendModel = backendModel;
        this.settings = settings;
        this.maxBatch = maxBatch;
        this.merge = merge;
        this.codec = codec;
        this.client = client;
        this.backendTimeout = backendTimeout;
        this.statistics = statistics;
        this.timer = timer;
        this.requestIds = requestIds;
    }

    /**
     * Queues one request of {@code samples} (1..maxBatch) samples and emits its result.
     *
     * @param deadlineNanos {@link System#nanoTime()} by which the backend must answer, or
     *                      {@link Long#MAX_VALUE} for none; sent to the backend as its deadline
     */
    public Mono<ByteBuf> submit(P payload, int samples, long deadlineNanos) {
        return Mono.<ByteBuf>create(sink -> enqueue(new Item<>(payload, samples, deadlineNanos, sink)))
                .doOnDiscard(ByteBuf.class, ByteBuf::release);
    }

    /** Requests waiting for a batch. */
    public synchronized int queued() {
        return queue.size();
    }

    private void enqueue(Item<P> item) {
        boolean admitted;
        synchronized (this) {
            admitted = queue.size() < settings.maxQueueSize();
            if (admitted) {
                queue.addLast(item);
                queuedSamples += item.samples;
            }
        }
        if (!admitted) {
            item.sink.error(new BackendFailureException(429, "queue full: model=" + backendModel + " maxQueueSize="
                    + settings.maxQueueSize(), 1));
            return;
        }
        item.sink.onCancel(() -> cancel(item));
        drain();
    }

    private void drain() {
        List<Flight<P>> ready = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            while (inflight < settings.maxInflightBatches() && !queue.isEmpty() && dispatchable(now)) {
                ready.add(takeBatch());
                inflight++;
            }
            scheduleFlush(now);
        }
        ready.forEach(this::send);
    }

    private boolean dispatchable(long now) {
        if (!merge || queuedSamples >= maxBatch || settings.preferredBatchSizes().contains(queuedSamples)) {
            return true;
        }
        List<Integer> preferred = settings.preferredBatchSizes();
        boolean largestPreferred = !preferred.isEmpty() && queuedSamples >= preferred.getLast();
        return largestPreferred || now - queue.peekFirst().enqueuedNanos >= settings.maxQueueDelayMicros() * 1000;
    }

    private void scheduleFlush(long now) {
        if (queue.isEmpty() || flush != null || inflight >= settings.maxInflightBatches()) {
            return;
        }
        long delay = queue.peekFirst().enqueuedNanos + settings.maxQueueDelayMicros() * 1000 - now;
        flush = timer.schedule(this::onFlush, Math.max(delay, 0), TimeUnit.NANOSECONDS);
    }

    private void onFlush() {
        synchronized (this) {
            flush = null;
        }
        drain();
    }

    private Flight<P> takeBatch() {
        List<Item<P>> batch = new ArrayList<>();
        int samples = 0;
        while (!queue.isEmpty() && (batch.isEmpty() || merge && samples + queue.peekFirst().samples <= maxBatch)) {
            Item<P> item = queue.pollFirst();
            queuedSamples -= item.samples;
            samples += item.samples;
            batch.add(item);
        }
        Flight<P> flight = new Flight<>(batch);
        batch.forEach(item -> item.flight = flight);
        return flight;
    }

    private void send(Flight<P> flight) {
        List<Item<P>> items = flight.items;
        long start = System.nanoTime();
        items.forEach(item -> statistics.queued(start - item.enqueuedNanos));
        long deadline = items.stream().mapToLong(i -> i.deadlineNanos).min().orElse(Long.MAX_VALUE);
        List<P> payloads = items.stream().map(i -> i.payload).toList();
        ByteBuf frame;
        try {
            frame = codec.compose(new RequestContext(backendModel, requestIds.incrementAndGet(),
                    epochMicros(deadline, start)), payloads);
        } catch (RuntimeException e) {
            finish(flight, null, new BackendFailureException(400, "cannot build backend request: " + e.getMessage(), 0),
                    start, start);
            return;
        }
        long composed = System.nanoTime();
        flight.backend.update(client.exchange(frame, backendTimeout).subscribe(
                response -> finish(flight, response, null, start, composed),
                error -> finish(flight, null, error, start, composed)));
    }

    private void finish(Flight<P> flight, ByteBuf response, Throwable error, long start, long composed) {
        if (!flight.finish()) {
            if (response != null) {
                response.release();
            }
            return;
        }
        try {
            if (response != null) {
                deliver(flight, response, start, composed);
            } else {
                flight.items.forEach(item -> item.sink.error(error));
            }
        } finally {
            synchronized (this) {
                inflight--;
            }
            drain();
        }
    }

    private void deliver(Flight<P> flight, ByteBuf response, long start, long composed) {
        try {
            List<ByteBuf> results = codec.split(response, flight.items.stream().map(i -> i.payload).toList());
            statistics.executed(flight.items.stream().mapToInt(i -> i.samples).sum(), composed - start,
                    System.nanoTime() - composed);
            for (int i = 0; i < results.size(); i++) {
                flight.items.get(i).sink.success(results.get(i));
            }
        } catch (BackendFailureException e) {
            flight.items.forEach(item -> item.sink.error(e));
        } finally {
            response.release();
        }
    }

    private void cancel(Item<P> item) {
        Flight<P> flight;
        synchronized (this) {
            if (queue.remove(item)) {
                queuedSamples -= item.samples;
                return;
            }
            flight = item.flight;
        }
        if (flight != null && flight.cancelOne() && flight.finish()) {
            flight.backend.dispose();
            synchronized (this) {
                inflight--;
            }
            drain();
        }
    }

    private static long epochMicros(long deadlineNanos, long nowNanos) {
        if (deadlineNanos == Long.MAX_VALUE) {
            return 0;
        }
        return System.currentTimeMillis() * 1000 + Math.max(deadlineNanos - nowNanos, 0) / 1000;
    }

    /** One queued request. */
    private static final class Item<P> {
        final P payload;
        final int samples;
        final long deadlineNanos;
        final long enqueuedNanos = System.nanoTime();
        final MonoSink<ByteBuf> sink;
        Flight<P> flight;

        Item(P payload, int samples, long deadlineNanos, MonoSink<ByteBuf> sink) {
            this.payload = payload;
            this.samples = samples;
            this.deadlineNanos = deadlineNanos;
            this.sink = sink;
        }
    }

    /** One batch at the backend; finishes once, by its answer or by the cancellation of all its requests. */
    private static final class Flight<P> {
        final List<Item<P>> items;
        final Disposable.Swap backend = Disposables.swap();
        private final AtomicInteger live;
        private final AtomicInteger finished = new AtomicInteger();

        Flight(List<Item<P>> items) {
            this.items = items;
            this.live = new AtomicInteger(items.size());
        }

        /** Whether this was the last live request of the batch. */
        boolean cancelOne() {
            return live.decrementAndGet() == 0;
        }

        /** True for the first caller only. */
        boolean finish() {
            return finished.compareAndSet(0, 1);
        }
    }
}
