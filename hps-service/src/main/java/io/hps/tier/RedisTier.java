package io.hps.tier;

import org.redisson.Redisson;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RMap;
import org.redisson.api.RMapAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.config.BaseConfig;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.ReadMode;
import org.redisson.config.SingleServerConfig;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Volatile tier in Redis or Redis Cluster through Redisson, with HugeCTR's layout so data loaded
 * by HugeCTR tools is readable and the other way round:
 * <pre>
 * hash name   hps_et{hps_et.&lt;model&gt;.&lt;table&gt;/p&lt;N&gt;}v    N = rrxmrrxmsx_0(key) mod partitions
 * field       key as 8 raw bytes, little-endian (int64)
 * value       vector as raw bytes, float32 little-endian, dimension * 4 bytes
 * </pre>
 * HugeCTR keeps per-key metadata for its overflow policies in the sibling hash
 * {@code hps_et{...}t} (same hash slot); this tier removes keys from it and drops it with the
 * table, but does not write it. When partitions are bounded
 * ({@link RedisTierSettings#bounded()}), a {@code put} that leaves a partition above
 * {@code overflowMarginEntries} starts a background eviction of random entries (HRANDFIELD, then
 * HDEL) down to {@code round(margin * overflowResolutionTarget)}: the put does not wait for it, and
 * the partition may exceed the margin until it completes. Only random eviction exists here;
 * HugeCTR's least-used and oldest policies need per-read metadata writes in Redis.
 *
 * <p>Keys are grouped by partition. A write or remove is one pipelined Redisson batch: one HSET /
 * HDEL per partition and chunk of {@code maxBatchKeys}. A read is several small batches sent at
 * once (over the connection pool): HMGETs of at most {@code maxBatchKeys} keys and about
 * {@value #READ_BATCH_BYTES} bytes of values each, packed into batches of about that size.
 * Redisson re-scans a batch's whole buffered reply each time more of it arrives, so one batch
 * with megabytes of vectors costs time quadratic in its size; small batches keep decoding linear.
 * On a cluster Redisson sends each node its part in parallel. A call answers by its deadline
 * whatever the servers do: a refused connection or
 * a failed command gives {@link TierStatus#UNAVAILABLE}, a slow one {@link TierStatus#DEADLINE_EXCEEDED},
 * and a late reply is dropped without touching the caller's buffers. A read is all or nothing:
 * a failed {@code get} has written no vectors and set no mask entries. A write that did not end
 * {@link TierStatus#OK} may or may not have reached Redis.
 *
 * <p>Threads: thread-safe. The synchronous forms wait for the batch up to the deadline and copy
 * replies into the caller's buffers on the calling thread, so any segment works. The
 * {@code *Async} forms never block; their replies are copied on Redisson's I/O threads, so their
 * segments must be accessible from any thread (global, shared or automatic arenas, or heap
 * segments; not confined ones). {@link #scan} issues blocking HSCANs; {@link #scanAsync} runs it
 * on a virtual thread.
 */
public final class RedisTier implements EmbeddingTier {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Vector bytes one read batch aims at: a few socket reads' worth. */
    static final int READ_BATCH_BYTES = 64 << 10;

    private final RedisTierSettings settings;
    private final RedissonClient client;
    private final ScheduledThreadPoolExecutor timer;
    private final DeadlineGuard guard;
    private final ExecutorService scanExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentHashMap<String, String[]> hashNames = new ConcurrentHashMap<>();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder failedEvictions = new LongAdder();
    private volatile boolean closed;

    private RedisTier(RedisTierSettings settings, RedissonClient client) {
        this.settings = settings;
        this.client = client;
        this.timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("redis-tier-deadline").factory());
        this.timer.setRemoveOnCancelPolicy(true);
        this.guard = new DeadlineGuard(timer);
    }

    /**
     * Connects to the server or cluster.
     *
     * @throws TierStartException if no node can be reached
     */
    public static RedisTier connect(RedisTierSettings settings) {
        try {
            return new RedisTier(settings, Redisson.create(redissonConfig(settings)));
        } catch (RuntimeException e) {
            throw new TierStartException("redis tier could not connect: nodes=" + settings.nodes()
                    + " cluster=" + settings.cluster() + " error=" + DeadlineGuard.describe(e), e);
        }
    }

    /**
     * The Redisson configuration these settings describe, for other clients of the same Redis
     * (the update channel) that should fail as fast as the tier does.
     */
    public static Config redissonConfig(RedisTierSettings settings) {
        Config config = new Config();
        config.setCodec(ByteArrayCodec.INSTANCE);
        config.setNettyThreads(settings.ioThreads());
        config.setThreads(settings.ioThreads());
        if (settings.cluster()) {
            ClusterServersConfig cluster = config.useClusterServers();
            settings.nodes().forEach(node -> cluster.addNodeAddress("redis://" + node));
            cluster.setReadMode(ReadMode.MASTER)
                    .setMasterConnectionPoolSize(settings.connectionPoolSize())
                    .setMasterConnectionMinimumIdleSize(settings.minimumIdleConnections())
                    .setSlaveConnectionMinimumIdleSize(0)
                    .setSubscriptionConnectionMinimumIdleSize(0);
            applyCommon(cluster, settings);
        } else {
            SingleServerConfig single = config.useSingleServer()
                    .setAddress("redis://" + settings.nodes().getFirst())
                    .setConnectionPoolSize(settings.connectionPoolSize())
                    .setConnectionMinimumIdleSize(settings.minimumIdleConnections())
                    .setSubscriptionConnectionMinimumIdleSize(0);
            applyCommon(single, settings);
        }
        return config;
    }

    private static <T extends BaseConfig<T>> void applyCommon(T config, RedisTierSettings settings) {
        config.setTimeout(settings.commandTimeoutMillis())
                .setRetryAttempts(settings.retryAttempts())
                .setRetryDelay(new ConstantDelay(Duration.ofMillis(settings.retryIntervalMillis())))
                .setReconnectionDelay(new ConstantDelay(Duration.ofMillis(settings.reconnectIntervalMillis())))
                .setConnectTimeout(settings.connectTimeoutMillis())
                .setPingConnectionInterval(settings.pingIntervalMillis())
                .setTcpNoDelay(true)
                .setKeepAlive(true);
        if (!settings.userName().isEmpty()) {
            config.setUsername(settings.userName());
        }
        if (!settings.password().isEmpty()) {
            config.setPassword(settings.password());
        }
    }

    /** HugeCTR's name of the value hash of {@code partition}: {@code hps_et{<tag>/p<partition>}v}. */
    public static String valueHashName(TierTable table, int partition) {
        return hashName(table.tag(), partition, 'v');
    }

    private static String hashName(String tag, int partition, char suffix) {
        return "hps_et{" + tag + "/p" + partition + '}' + suffix;
    }

    @Override
    public TierKind kind() {
        return TierKind.REDIS;
    }

    @Override
    public TierResult get(TierTable table, long[] keys, int count, MemorySegment out, boolean[] found,
                          Deadline deadline) {
        return now(prepareGet(table, keys, count, out, found, deadline), deadline);
    }

    @Override
    public CompletableFuture<TierResult> getAsync(TierTable table, long[] keys, int count, MemorySegment out,
                                                  boolean[] found, Deadline deadline) {
        return later(prepareGet(table, keys, count, out, found, deadline), deadline);
    }

    private PreparedCall prepareGet(TierTable table, long[] keys, int count, MemorySegment out, boolean[] found,
                                    Deadline deadline) {
        TierArguments.checkGet(table, keys, count, out, found);
        checkOpen();
        if (deadline.expired()) {
            return PreparedCall.done(TierResult.deadlineExceeded(0));
        }
        PartitionGrouping groups = PartitionGrouping.of(keys, count, found, settings.partitions());
        if (groups.size() == 0) {
            return PreparedCall.done(TierResult.ok(0));
        }
        String[] names = names(table);
        int keysPerBatch = Math.clamp(READ_BATCH_BYTES / table.vectorBytes(), 1, settings.maxBatchKeys());
        BatchOptions options = batchOptions(deadline);
        List<RBatch> batches = new ArrayList<>();
        List<ReadChunk> chunks = new ArrayList<>();
        RBatch batch = null;
        int batchKeys = 0;
        for (int p = 0; p < settings.partitions(); p++) {
            for (int from = groups.start(p); from < groups.end(p); from += keysPerBatch) {
                int to = Math.min(groups.end(p), from + keysPerBatch);
                if (batch == null || batchKeys + (to - from) > keysPerBatch) {
                    batch = client.createBatch(options);
                    batches.add(batch);
                    batchKeys = 0;
                }
                batchKeys += to - from;
                chunks.add(readChunk(batch, names[2 * p], keys, groups.order(), from, to));
            }
        }
        return new PreparedCall(batches, () -> copyHits(groups.order(), chunks, out, found, table.vectorBytes()), null);
    }

    /** Queues one HMGET of the keys at grouping positions {@code [from, to)} of partition hash {@code name}. */
    private static ReadChunk readChunk(RBatch batch, String name, long[] keys, int[] order, int from, int to) {
        byte[][] fields = new byte[to - from][];
        Set<byte[]> request = HashSet.newHashSet(to - from);
        for (int j = from; j < to; j++) {
            fields[j - from] = keyBytes(keys[order[j]]);
            request.add(fields[j - from]);
        }
        RMapAsync<byte[], byte[]> map = batch.getMap(name, ByteArrayCodec.INSTANCE);
        return new ReadChunk(from, fields, map.getAllAsync(request));
    }

    /** Copies the vectors of every answered field into {@code out} at its batch index and marks it found. */
    private static TierResult copyHits(int[] order, List<ReadChunk> chunks, MemorySegment out, boolean[] found,
                                       int vectorBytes) {
        long hits = 0;
        for (ReadChunk chunk : chunks) {
            Map<byte[], byte[]> values = chunk.reply().getNow();
            for (int i = 0; i < chunk.fields().length; i++) {
                byte[] value = values.get(chunk.fields()[i]);
                if (value != null && value.length == vectorBytes) {
                    int index = order[chunk.from() + i];
                    MemorySegment.copy(value, 0, out, ValueLayout.JAVA_BYTE, (long) index * vectorBytes, vectorBytes);
                    found[index] = true;
                    hits++;
                }
            }
        }
        return TierResult.ok(hits);
    }

    /** One HMGET: grouping positions {@code [from, from + fields.length)}; replies are keyed by the field arrays' identity. */
    private record ReadChunk(int from, byte[][] fields, RFuture<Map<byte[], byte[]>> reply) {
    }

    @Override
    public TierResult put(TierTable table, long[] keys, int count, MemorySegment vectors, Deadline deadline) {
        return now(preparePut(table, keys, count, vectors, deadline), deadline);
    }

    @Override
    public CompletableFuture<TierResult> putAsync(TierTable table, long[] keys, int count, MemorySegment vectors,
                                                  Deadline deadline) {
        return later(preparePut(table, keys, count, vectors, deadline), deadline);
    }

    private PreparedCall preparePut(TierTable table, long[] keys, int count, MemorySegment vectors, Deadline deadline) {
        TierArguments.checkBatch(table, keys, count, vectors);
        checkOpen();
        if (deadline.expired()) {
            return PreparedCall.done(TierResult.deadlineExceeded(0));
        }
        PartitionGrouping groups = PartitionGrouping.of(keys, count, null, settings.partitions());
        if (groups.size() == 0) {
            return PreparedCall.done(TierResult.ok(0));
        }
        RBatch batch = client.createBatch(bulkBatchOptions(deadline));
        String[] names = names(table);
        int vectorBytes = table.vectorBytes();
        forEachChunk(groups, (p, from, to) -> {
            Map<byte[], byte[]> pairs = HashMap.newHashMap(to - from);
            for (int j = from; j < to; j++) {
                int index = groups.order()[j];
                byte[] value = new byte[vectorBytes];
                MemorySegment.copy(vectors, ValueLayout.JAVA_BYTE, (long) index * vectorBytes, value, 0, vectorBytes);
                pairs.put(keyBytes(keys[index]), value);
            }
            batch.<byte[], byte[]>getMap(names[2 * p], ByteArrayCodec.INSTANCE).putAllAsync(pairs);
        });
        RFuture<Integer>[] sizes = partitionSizesAfterPut(batch, names, groups);
        return new PreparedCall(List.of(batch), () -> {
            resolveOverflow(names, sizes);
            return TierResult.ok(count);
        }, null);
    }

    /** Entries evicted by overflow handling since creation. */
    public long evictions() {
        return evictions.sum();
    }

    /** Background evictions that failed (the partition stays above its margin until a later put retries). */
    public long failedEvictions() {
        return failedEvictions.sum();
    }

    /**
     * Queues an HLEN behind the writes of every partition the put touches, when partitions are
     * bounded; element {@code p} is null for untouched partitions (or all when unbounded).
     */
    @SuppressWarnings("unchecked")
    private RFuture<Integer>[] partitionSizesAfterPut(RBatch batch, String[] names, PartitionGrouping groups) {
        RFuture<Integer>[] sizes = new RFuture[settings.partitions()];
        if (settings.bounded()) {
            for (int p = 0; p < settings.partitions(); p++) {
                if (groups.start(p) < groups.end(p)) {
                    sizes[p] = batch.getMap(names[2 * p], ByteArrayCodec.INSTANCE).sizeAsync();
                }
            }
        }
        return sizes;
    }

    /** Starts a background random eviction for every partition whose size came back above the margin. */
    private void resolveOverflow(String[] names, RFuture<Integer>[] sizes) {
        for (int p = 0; p < sizes.length; p++) {
            if (sizes[p] != null && sizes[p].getNow() > settings.overflowMarginEntries()) {
                evictRandom(names, p, sizes[p].getNow() - settings.overflowResolutionEntries());
            }
        }
    }

    private void evictRandom(String[] names, int p, long excess) {
        RMapAsync<byte[], byte[]> values = client.getMap(names[2 * p], ByteArrayCodec.INSTANCE);
        values.randomKeysAsync((int) Math.min(excess, Integer.MAX_VALUE)).thenCompose(victims -> {
            RBatch batch = client.createBatch(BatchOptions.defaults());
            byte[][] fields = victims.toArray(new byte[0][]);
            RFuture<Long> removed = batch.<byte[], byte[]>getMap(names[2 * p], ByteArrayCodec.INSTANCE).fastRemoveAsync(fields);
            batch.<byte[], byte[]>getMap(names[2 * p + 1], ByteArrayCodec.INSTANCE).fastRemoveAsync(fields);
            return batch.executeAsync().thenApply(ignored -> removed.getNow());
        }).whenComplete((removed, error) -> {
            if (error == null) {
                evictions.add(removed);
            } else {
                failedEvictions.increment();
            }
        });
    }

    @Override
    public TierResult remove(TierTable table, long[] keys, int count, Deadline deadline) {
        return now(prepareRemove(table, keys, count, deadline), deadline);
    }

    @Override
    public CompletableFuture<TierResult> removeAsync(TierTable table, long[] keys, int count, Deadline deadline) {
        return later(prepareRemove(table, keys, count, deadline), deadline);
    }

    private PreparedCall prepareRemove(TierTable table, long[] keys, int count, Deadline deadline) {
        TierArguments.checkKeys(keys, count);
        checkOpen();
        if (deadline.expired()) {
            return PreparedCall.done(TierResult.deadlineExceeded(0));
        }
        PartitionGrouping groups = PartitionGrouping.of(keys, count, null, settings.partitions());
        if (groups.size() == 0) {
            return PreparedCall.done(TierResult.ok(0));
        }
        RBatch batch = client.createBatch(bulkBatchOptions(deadline));
        String[] names = names(table);
        List<RFuture<Long>> removed = new ArrayList<>();
        forEachChunk(groups, (p, from, to) -> {
            byte[][] fields = new byte[to - from][];
            for (int j = from; j < to; j++) {
                fields[j - from] = keyBytes(keys[groups.order()[j]]);
            }
            removed.add(batch.<byte[], byte[]>getMap(names[2 * p], ByteArrayCodec.INSTANCE).fastRemoveAsync(fields));
            batch.<byte[], byte[]>getMap(names[2 * p + 1], ByteArrayCodec.INSTANCE).fastRemoveAsync(fields);
        });
        return new PreparedCall(List.of(batch), () -> TierResult.ok(sum(removed)), null);
    }

    @Override
    public TierResult size(TierTable table, Deadline deadline) {
        return now(prepareSize(table, deadline), deadline);
    }

    @Override
    public CompletableFuture<TierResult> sizeAsync(TierTable table, Deadline deadline) {
        return later(prepareSize(table, deadline), deadline);
    }

    private PreparedCall prepareSize(TierTable table, Deadline deadline) {
        return prepareCount(table, deadline, false);
    }

    @Override
    public TierResult dropTable(TierTable table, Deadline deadline) {
        return now(prepareDrop(table, deadline), deadline);
    }

    @Override
    public CompletableFuture<TierResult> dropTableAsync(TierTable table, Deadline deadline) {
        return later(prepareDrop(table, deadline), deadline);
    }

    private PreparedCall prepareDrop(TierTable table, Deadline deadline) {
        return prepareCount(table, deadline, true);
    }

    /** Counts the entries of every value hash, and when {@code delete}, removes the value and meta hashes. */
    private PreparedCall prepareCount(TierTable table, Deadline deadline, boolean delete) {
        checkOpen();
        if (deadline.expired()) {
            return PreparedCall.done(TierResult.deadlineExceeded(0));
        }
        RBatch batch = client.createBatch(bulkBatchOptions(deadline));
        String[] names = names(table);
        List<RFuture<Integer>> sizes = new ArrayList<>(settings.partitions());
        for (int p = 0; p < settings.partitions(); p++) {
            sizes.add(batch.getMap(names[2 * p], ByteArrayCodec.INSTANCE).sizeAsync());
            if (delete) {
                batch.getMap(names[2 * p], ByteArrayCodec.INSTANCE).deleteAsync();
                batch.getMap(names[2 * p + 1], ByteArrayCodec.INSTANCE).deleteAsync();
            }
        }
        return new PreparedCall(List.of(batch), () -> TierResult.ok(sum(sizes)), null);
    }

    @Override
    public TierResult scan(TierTable table, int chunkKeys, EntryVisitor visitor, Deadline deadline) {
        TierArguments.checkChunk(chunkKeys);
        checkOpen();
        if (deadline.expired()) {
            return TierResult.deadlineExceeded(0);
        }
        long[] keys = new long[chunkKeys];
        String[] names = names(table);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vectors = arena.allocate((long) chunkKeys * table.vectorBytes(), Long.BYTES);
            long visited = 0;
            for (int p = 0; p < settings.partitions(); p++) {
                RMap<byte[], byte[]> map = client.getMap(names[2 * p], ByteArrayCodec.INSTANCE);
                TierResult partial = scanPartition(map.entrySet(chunkKeys).iterator(), keys, vectors,
                        table.vectorBytes(), visitor, deadline);
                visited += partial.count();
                if (!partial.isOk()) {
                    return new TierResult(partial.status(), visited, partial.reason());
                }
            }
            return TierResult.ok(visited);
        }
    }

    private static TierResult scanPartition(Iterator<Map.Entry<byte[], byte[]>> entries, long[] keys,
                                            MemorySegment vectors, int vectorBytes, EntryVisitor visitor,
                                            Deadline deadline) {
        long visited = 0;
        int n = 0;
        try {
            while (entries.hasNext()) {
                if (deadline.expired()) {
                    return TierResult.deadlineExceeded(visited);
                }
                Map.Entry<byte[], byte[]> entry = entries.next();
                if (entry.getKey().length != Long.BYTES || entry.getValue().length != vectorBytes) {
                    continue;
                }
                keys[n] = (long) LONG_LE.get(entry.getKey(), 0);
                MemorySegment.copy(entry.getValue(), 0, vectors, ValueLayout.JAVA_BYTE, (long) n * vectorBytes, vectorBytes);
                if (++n == keys.length) {
                    visitor.visit(keys, n, vectors);
                    visited += n;
                    n = 0;
                }
            }
        } catch (org.redisson.client.RedisException e) {
            return TierResult.unavailable(visited, DeadlineGuard.describe(e));
        }
        if (n > 0) {
            visitor.visit(keys, n, vectors);
            visited += n;
        }
        return TierResult.ok(visited);
    }

    @Override
    public CompletableFuture<TierResult> scanAsync(TierTable table, int chunkKeys, EntryVisitor visitor,
                                                   Deadline deadline) {
        TierArguments.checkChunk(chunkKeys);
        try {
            return CompletableFuture.supplyAsync(() -> scan(table, chunkKeys, visitor, deadline), scanExecutor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(TierResult.unavailable(0, "redis tier is closed"));
        }
    }

    @Override
    public void close() {
        closed = true;
        scanExecutor.shutdown();
        client.shutdown(0, 2, TimeUnit.SECONDS);
        timer.shutdownNow();
    }

    /** Runs {@code call} and handles its replies on the calling thread, waiting at most until the deadline. */
    private static TierResult now(PreparedCall call, Deadline deadline) {
        if (call.immediate() != null) {
            return call.immediate();
        }
        try {
            call.execute().get(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
            return call.onSuccess().get();
        } catch (TimeoutException e) {
            return TierResult.deadlineExceeded(0);
        } catch (ExecutionException e) {
            return DeadlineGuard.failed(e.getCause(), deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return TierResult.unavailable(0, "interrupted");
        } catch (RuntimeException e) {
            return DeadlineGuard.failed(e, deadline);
        }
    }

    /** Runs {@code call}; its replies are handled on a Redisson I/O thread unless the deadline passed first. */
    private CompletableFuture<TierResult> later(PreparedCall call, Deadline deadline) {
        if (call.immediate() != null) {
            return CompletableFuture.completedFuture(call.immediate());
        }
        try {
            return guard.guard(call.execute(), deadline, ignored -> call.onSuccess().get());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(DeadlineGuard.failed(e, deadline));
        }
    }

    /** Queued batches and what to do with their replies, or a result known without asking Redis. */
    private record PreparedCall(List<RBatch> batches, Supplier<TierResult> onSuccess, TierResult immediate) {
        static PreparedCall done(TierResult result) {
            return new PreparedCall(null, null, result);
        }

        /** Sends every batch; completes when all have answered, exceptionally if any failed. */
        CompletableFuture<Void> execute() {
            CompletableFuture<?>[] runs = new CompletableFuture<?>[batches.size()];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = batches.get(i).executeAsync().toCompletableFuture();
            }
            return CompletableFuture.allOf(runs);
        }
    }

    /**
     * Writes, removals and table-wide commands (loading, updates, refresh) move much more data
     * than a lookup: they are bounded by the caller's deadline alone, not by the lookup command
     * timeout.
     */
    private BatchOptions bulkBatchOptions(Deadline deadline) {
        long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline.remainingNanos()) + 1);
        return BatchOptions.defaults()
                .responseTimeout(remainingMillis, TimeUnit.MILLISECONDS)
                .retryAttempts(settings.retryAttempts())
                .retryDelay(new ConstantDelay(Duration.ofMillis(settings.retryIntervalMillis())));
    }

    private BatchOptions batchOptions(Deadline deadline) {
        long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline.remainingNanos()) + 1);
        return BatchOptions.defaults()
                .responseTimeout(Math.min(settings.commandTimeoutMillis(), remainingMillis), TimeUnit.MILLISECONDS)
                .retryAttempts(settings.retryAttempts())
                .retryDelay(new ConstantDelay(Duration.ofMillis(settings.retryIntervalMillis())));
    }

    /** Value and meta hash names of every partition: {@code [2p] = ...}v, {@code [2p + 1] = ...}t. */
    private String[] names(TierTable table) {
        return hashNames.computeIfAbsent(table.tag(), tag -> {
            String[] names = new String[2 * settings.partitions()];
            for (int p = 0; p < settings.partitions(); p++) {
                names[2 * p] = hashName(tag, p, 'v');
                names[2 * p + 1] = hashName(tag, p, 't');
            }
            return names;
        });
    }

    private void forEachChunk(PartitionGrouping groups, ChunkAction action) {
        for (int p = 0; p < settings.partitions(); p++) {
            for (int from = groups.start(p); from < groups.end(p); from += settings.maxBatchKeys()) {
                action.accept(p, from, Math.min(groups.end(p), from + settings.maxBatchKeys()));
            }
        }
    }

    private static long sum(List<? extends RFuture<? extends Number>> futures) {
        long total = 0;
        for (RFuture<? extends Number> future : futures) {
            total += future.getNow().longValue();
        }
        return total;
    }

    private static byte[] keyBytes(long key) {
        byte[] bytes = new byte[Long.BYTES];
        LONG_LE.set(bytes, 0, key);
        return bytes;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("redis tier is closed");
        }
    }

    /** One chunk of partition {@code p}: grouping positions {@code [from, to)}. */
    @FunctionalInterface
    private interface ChunkAction {
        void accept(int p, int from, int to);
    }
}
