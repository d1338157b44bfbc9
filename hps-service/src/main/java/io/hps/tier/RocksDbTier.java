package io.hps.tier;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Persistent tier in RocksDB holding whole tables, laid out as HugeCTR's RocksDB backend: one
 * column family per table named by its tag {@code hps_et.<model>.<table>}, key = 8 raw bytes
 * little-endian (int64), value = raw vector bytes (float32 little-endian, dimension * 4 bytes).
 * Reads are MultiGets and writes are write batches of at most {@code maxBatchKeys} keys; the
 * deadline is checked between batches. {@link #size} counts exactly by iterating the column family.
 *
 * <p>Threads: thread-safe. Every call blocks on local disk I/O, so event loops use the
 * {@code *Async} forms, which run on {@code asyncThreads} tier threads. Dropping a table
 * excludes concurrent calls for the moment its column family is destroyed.
 */
public final class RocksDbTier extends SynchronousTier {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final RocksDbTierSettings settings;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions familyOptions;
    private final ReadOptions readOptions = new ReadOptions();
    private final WriteOptions writeOptions = new WriteOptions().setSync(false);
    private final RocksDB db;
    private final ColumnFamilyHandle defaultFamily;
    private final ConcurrentHashMap<String, ColumnFamilyHandle> families = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock familyLock = new ReentrantReadWriteLock();
    private final ExecutorService asyncExecutor;
    private volatile boolean closed;

    private RocksDbTier(RocksDbTierSettings settings) throws RocksDBException {
        this.settings = settings;
        this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setIncreaseParallelism(settings.backgroundThreads());
        this.familyOptions = new ColumnFamilyOptions().optimizeForPointLookup(8).optimizeLevelStyleCompaction();
        List<ColumnFamilyDescriptor> descriptors = existingFamilies(settings);
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        String path = settings.path().toString();
        this.db = settings.readOnly()
                ? RocksDB.openReadOnly(dbOptions, path, descriptors, handles)
                : RocksDB.open(dbOptions, path, descriptors, handles);
        for (int i = 0; i < descriptors.size(); i++) {
            families.put(new String(descriptors.get(i).getName(), StandardCharsets.UTF_8), handles.get(i));
        }
        this.defaultFamily = families.remove(new String(RocksDB.DEFAULT_COLUMN_FAMILY, StandardCharsets.UTF_8));
        this.asyncExecutor = Executors.newFixedThreadPool(settings.asyncThreads(),
                Thread.ofPlatform().daemon().name("rocksdb-tier-", 0).factory());
    }

    /**
     * Opens (or, unless read-only, creates) the database at {@code settings.path()}.
     *
     * @throws TierStartException if the database cannot be opened
     */
    public static RocksDbTier open(RocksDbTierSettings settings) {
        RocksDB.loadLibrary();
        try {
            return new RocksDbTier(settings);
        } catch (RocksDBException e) {
            throw new TierStartException("rocksdb tier could not open: path=" + settings.path()
                    + " readOnly=" + settings.readOnly() + " error=" + e.getMessage(), e);
        }
    }

    private List<ColumnFamilyDescriptor> existingFamilies(RocksDbTierSettings settings) {
        List<byte[]> names;
        try (Options options = new Options()) {
            names = RocksDB.listColumnFamilies(options, settings.path().toString());
        } catch (RocksDBException e) {
            names = List.of();
        }
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
        for (byte[] name : names) {
            if (!java.util.Arrays.equals(name, RocksDB.DEFAULT_COLUMN_FAMILY)) {
                descriptors.add(new ColumnFamilyDescriptor(name, familyOptions));
            }
        }
        return descriptors;
    }

    @Override
    public TierKind kind() {
        return TierKind.ROCKS_DB;
    }

    @Override
    public TierResult get(TierTable table, long[] keys, int count, MemorySegment out, boolean[] found,
                          Deadline deadline) {
        TierArguments.checkGet(table, keys, count, out, found);
        familyLock.readLock().lock();
        try {
            ColumnFamilyHandle family = family(table, false);
            if (deadline.expired()) {
                return TierResult.deadlineExceeded(0);
            }
            return family == null ? TierResult.ok(0) : multiGet(family, table, keys, count, out, found, deadline);
        } finally {
            familyLock.readLock().unlock();
        }
    }

    private TierResult multiGet(ColumnFamilyHandle family, TierTable table, long[] keys, int count,
                                MemorySegment out, boolean[] found, Deadline deadline) {
        int[] indices = new int[Math.min(count, settings.maxBatchKeys())];
        List<byte[]> chunk = new ArrayList<>(indices.length);
        long hits = 0;
        for (int next = 0; next < count; ) {
            if (deadline.expired()) {
                return TierResult.deadlineExceeded(hits);
            }
            chunk.clear();
            for (; next < count && chunk.size() < indices.length; next++) {
                if (!found[next]) {
                    indices[chunk.size()] = next;
                    chunk.add(keyBytes(keys[next]));
                }
            }
            if (chunk.isEmpty()) {
                break;
            }
            try {
                hits += copyHits(db.multiGetAsList(readOptions, Collections.nCopies(chunk.size(), family), chunk),
                        indices, out, found, table.vectorBytes());
            } catch (RocksDBException e) {
                return TierResult.unavailable(hits, "rocksdb multiGet failed: " + e.getMessage());
            }
        }
        return TierResult.ok(hits);
    }

    private static int copyHits(List<byte[]> values, int[] indices, MemorySegment out, boolean[] found,
                                int vectorBytes) {
        int hits = 0;
        for (int i = 0; i < values.size(); i++) {
            byte[] value = values.get(i);
            if (value != null && value.length == vectorBytes) {
                MemorySegment.copy(value, 0, out, ValueLayout.JAVA_BYTE, (long) indices[i] * vectorBytes, vectorBytes);
                found[indices[i]] = true;
                hits++;
            }
        }
        return hits;
    }

    @Override
    public TierResult put(TierTable table, long[] keys, int count, MemorySegment vectors, Deadline deadline) {
        TierArguments.checkBatch(table, keys, count, vectors);
        checkWritable();
        familyLock.readLock().lock();
        try {
            ColumnFamilyHandle family = family(table, true);
            long written = 0;
            int vectorBytes = table.vectorBytes();
            for (int from = 0; from < count; from += settings.maxBatchKeys()) {
                if (deadline.expired()) {
                    return TierResult.deadlineExceeded(written);
                }
                int to = Math.min(count, from + settings.maxBatchKeys());
                try (WriteBatch batch = new WriteBatch()) {
                    for (int i = from; i < to; i++) {
                        byte[] value = new byte[vectorBytes];
                        MemorySegment.copy(vectors, ValueLayout.JAVA_BYTE, (long) i * vectorBytes, value, 0, vectorBytes);
                        batch.put(family, keyBytes(keys[i]), value);
                    }
                    db.write(writeOptions, batch);
                    written += to - from;
                } catch (RocksDBException e) {
                    return TierResult.unavailable(written, "rocksdb write failed: " + e.getMessage());
                }
            }
            return TierResult.ok(written);
        } finally {
            familyLock.readLock().unlock();
        }
    }

    @Override
    public TierResult remove(TierTable table, long[] keys, int count, Deadline deadline) {
        TierArguments.checkKeys(keys, count);
        checkWritable();
        familyLock.readLock().lock();
        try {
            ColumnFamilyHandle family = family(table, false);
            if (deadline.expired()) {
                return TierResult.deadlineExceeded(0);
            }
            return family == null ? TierResult.ok(0) : removePresent(family, keys, count, deadline);
        } finally {
            familyLock.readLock().unlock();
        }
    }

    private TierResult removePresent(ColumnFamilyHandle family, long[] keys, int count, Deadline deadline) {
        long removed = 0;
        for (int from = 0; from < count; from += settings.maxBatchKeys()) {
            if (deadline.expired()) {
                return TierResult.deadlineExceeded(removed);
            }
            int to = Math.min(count, from + settings.maxBatchKeys());
            List<byte[]> chunk = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                chunk.add(keyBytes(keys[i]));
            }
            try (WriteBatch batch = new WriteBatch()) {
                List<byte[]> present = db.multiGetAsList(readOptions, Collections.nCopies(chunk.size(), family), chunk);
                for (int i = 0; i < chunk.size(); i++) {
                    if (present.get(i) != null) {
                        batch.delete(family, chunk.get(i));
                        removed++;
                    }
                }
                db.write(writeOptions, batch);
            } catch (RocksDBException e) {
                return TierResult.unavailable(removed, "rocksdb delete failed: " + e.getMessage());
            }
        }
        return TierResult.ok(removed);
    }

    @Override
    public TierResult size(TierTable table, Deadline deadline) {
        familyLock.readLock().lock();
        try {
            ColumnFamilyHandle family = family(table, false);
            if (deadline.expired()) {
                return TierResult.deadlineExceeded(0);
            }
            return family == null ? TierResult.ok(0) : countEntries(family, deadline);
        } finally {
            familyLock.readLock().unlock();
        }
    }

    private TierResult countEntries(ColumnFamilyHandle family, Deadline deadline) {
        long entries = 0;
        try (RocksIterator iterator = db.newIterator(family, readOptions)) {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
                if ((++entries & 4095) == 0 && deadline.expired()) {
                    return TierResult.deadlineExceeded(entries);
                }
            }
        }
        return TierResult.ok(entries);
    }

    @Override
    public TierResult dropTable(TierTable table, Deadline deadline) {
        checkWritable();
        familyLock.writeLock().lock();
        try {
            ColumnFamilyHandle family = family(table, false);
            if (deadline.expired()) {
                return TierResult.deadlineExceeded(0);
            }
            if (family == null) {
                return TierResult.ok(0);
            }
            long entries = countEntries(family, Deadline.inNanos(Long.MAX_VALUE / 2)).count();
            db.dropColumnFamily(family);
            families.remove(table.tag()).close();
            return TierResult.ok(entries);
        } catch (RocksDBException e) {
            return TierResult.unavailable(0, "rocksdb drop failed: table=" + table.tag() + " error=" + e.getMessage());
        } finally {
            familyLock.writeLock().unlock();
        }
    }

    @Override
    public TierResult scan(TierTable table, int chunkKeys, EntryVisitor visitor, Deadline deadline) {
        TierArguments.checkChunk(chunkKeys);
        familyLock.readLock().lock();
        try (Arena arena = Arena.ofConfined()) {
            ColumnFamilyHandle family = family(table, false);
            if (deadline.expired()) {
                return TierResult.deadlineExceeded(0);
            }
            if (family == null) {
                return TierResult.ok(0);
            }
            MemorySegment vectors = arena.allocate((long) chunkKeys * table.vectorBytes(), Long.BYTES);
            return scanFamily(family, new long[chunkKeys], vectors, table.vectorBytes(), visitor, deadline);
        } finally {
            familyLock.readLock().unlock();
        }
    }

    private TierResult scanFamily(ColumnFamilyHandle family, long[] keys, MemorySegment vectors, int vectorBytes,
                                  EntryVisitor visitor, Deadline deadline) {
        long visited = 0;
        int n = 0;
        try (RocksIterator iterator = db.newIterator(family, readOptions)) {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
                byte[] key = iterator.key();
                byte[] value = iterator.value();
                if (key.length != Long.BYTES || value.length != vectorBytes) {
                    continue;
                }
                keys[n] = (long) LONG_LE.get(key, 0);
                MemorySegment.copy(value, 0, vectors, ValueLayout.JAVA_BYTE, (long) n * vectorBytes, vectorBytes);
                if (++n == keys.length) {
                    visitor.visit(keys, n, vectors);
                    visited += n;
                    n = 0;
                    if (deadline.expired()) {
                        return TierResult.deadlineExceeded(visited);
                    }
                }
            }
        }
        if (n > 0) {
            visitor.visit(keys, n, vectors);
            visited += n;
        }
        return TierResult.ok(visited);
    }

    @Override
    public void close() {
        familyLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            asyncExecutor.shutdown();
            families.values().forEach(ColumnFamilyHandle::close);
            families.clear();
            defaultFamily.close();
            db.close();
            readOptions.close();
            writeOptions.close();
            familyOptions.close();
            dbOptions.close();
        } finally {
            familyLock.writeLock().unlock();
        }
    }

    @Override
    Executor asyncExecutor() {
        return asyncExecutor;
    }

    /** The column family of {@code table}, created when {@code create} is set; caller holds {@link #familyLock}. */
    private ColumnFamilyHandle family(TierTable table, boolean create) {
        if (closed) {
            throw new IllegalStateException("rocksdb tier is closed: path=" + settings.path());
        }
        ColumnFamilyHandle family = families.get(table.tag());
        if (family != null || !create) {
            return family;
        }
        return families.computeIfAbsent(table.tag(), this::createFamily);
    }

    private ColumnFamilyHandle createFamily(String tag) {
        try {
            return db.createColumnFamily(new ColumnFamilyDescriptor(tag.getBytes(StandardCharsets.UTF_8), familyOptions));
        } catch (RocksDBException e) {
            throw new IllegalStateException("rocksdb column family could not be created: table=" + tag
                    + " error=" + e.getMessage(), e);
        }
    }

    private void checkWritable() {
        if (settings.readOnly()) {
            throw new IllegalStateException("rocksdb tier is read-only: path=" + settings.path());
        }
    }

    private static byte[] keyBytes(long key) {
        byte[] bytes = new byte[Long.BYTES];
        LONG_LE.set(bytes, 0, key);
        return bytes;
    }
}
