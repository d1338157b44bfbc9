package io.hps.gpu.table;

import io.hps.model.TableSpec;
import io.hps.model.sparse.SparseTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedding rows of a model's HugeCTR sparse files ({@link SparseTable}: one directory per table, keys in any
 * order), memory-mapped: row {@code r} of table {@code t} is row {@code r} of its files and is stored under the key
 * the {@code key} file holds for it. A device table holds keys in {@code [0, 2^40 - 1)} ({@link TableKeys});
 * {@link #open} checks every key against that range, so a table the device cannot hold is refused before anything
 * is uploaded.
 *
 * <p>Threads: reads are thread-safe; {@link #close} unmaps the files and must not race with them.
 */
public final class SparseFileRows implements RowSource, AutoCloseable {

    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32_NATIVE = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final List<SparseTable> tables;

    private SparseFileRows(List<SparseTable> tables) {
        this.tables = List.copyOf(tables);
    }

    /**
     * Maps table {@code i} of {@code specs} from {@code directories.get(i)}, checking its row count and dimension
     * against the spec and its keys against the device's key range.
     *
     * @throws UncheckedIOException     when a file is missing, malformed or cannot be mapped
     * @throws IllegalArgumentException when a key is outside {@code [0, 2^40 - 1)}
     */
    public static SparseFileRows open(List<Path> directories, List<TableSpec> specs) {
        if (directories.size() != specs.size()) {
            throw new IllegalArgumentException("one sparse directory per table: directories=" + directories.size()
                    + " tables=" + specs.size());
        }
        List<SparseTable> opened = new ArrayList<>(specs.size());
        try {
            for (int t = 0; t < specs.size(); t++) {
                opened.add(SparseTable.open(directories.get(t), specs.get(t)));
                checkKeys(t, opened.getLast());
            }
            return new SparseFileRows(opened);
        } catch (IOException e) {
            opened.forEach(SparseTable::close);
            throw new UncheckedIOException("cannot map sparse table: error=" + e.getMessage(), e);
        } catch (RuntimeException e) {
            opened.forEach(SparseTable::close);
            throw e;
        }
    }

    private static void checkKeys(int t, SparseTable table) {
        for (long r = 0; r < table.rows(); r++) {
            long key = table.key(r);
            if (key < 0 || key >= TableKeys.UNKNOWN) {
                throw new IllegalArgumentException("key outside the device table's range [0, 2^40 - 1): table=" + t
                        + " dir=" + table.directory() + " row=" + r + " key=" + key);
            }
        }
    }

    @Override
    public void read(int table, long firstRow, int count, MemorySegment out) {
        SparseTable file = tables.get(table);
        if (firstRow < 0 || count < 0 || firstRow + count > file.rows()) {
            throw new IllegalArgumentException("rows out of range: table=" + table + " firstRow=" + firstRow
                    + " count=" + count + " rows=" + file.rows());
        }
        MemorySegment.copy(file.vectors(), F32_LE, firstRow * file.vectorBytes(), out, F32_NATIVE, 0,
                (long) count * file.dimension());
    }

    @Override
    public long key(int table, long row) {
        return tables.get(table).key(row);
    }

    @Override
    public void close() {
        tables.forEach(SparseTable::close);
    }
}
