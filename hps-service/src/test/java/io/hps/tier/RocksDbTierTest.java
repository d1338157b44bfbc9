package io.hps.tier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RocksDbTierTest extends EmbeddingTierContract {
    @TempDir
    Path directory;

    @Override
    protected EmbeddingTier openTier() {
        return RocksDbTier.open(settings(false));
    }

    private RocksDbTierSettings settings(boolean readOnly) {
        return new RocksDbTierSettings(directory.resolve("db"), readOnly, 1000, 2, 2);
    }

    @Override
    protected TierKind expectedKind() {
        return TierKind.ROCKS_DB;
    }

    @Test
    void shouldKeepTablesAcrossReopenAndServeThemReadOnly() {
        TierTable table = table("persisted", 8);
        long[] keys = distinctKeys(2_500, 61);
        MemorySegment vectors = randomVectors(keys.length, 8, 62);
        tier.put(table, keys, keys.length, vectors, generous());
        tier.close();

        tier = RocksDbTier.open(settings(true));

        MemorySegment out = filled(keys.length, 8, (byte) 0);
        boolean[] found = new boolean[keys.length];
        assertThat(tier.get(table, keys, keys.length, out, found, generous())).isEqualTo(TierResult.ok(keys.length));
        assertThat(out.mismatch(vectors)).isEqualTo(-1L);
        assertThatThrownBy(() -> tier.put(table, keys, 1, vectors, generous()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("read-only");
    }

    @Test
    void shouldStoreOneColumnFamilyPerTableWithRawLittleEndianKeys() throws Exception {
        TierTable table = table("layout", 2);
        MemorySegment vector = randomVectors(1, 2, 63);
        tier.put(table, new long[] {0x0102030405060708L}, 1, vector, generous());
        tier.close();

        String path = directory.resolve("db").toString();
        List<byte[]> names;
        try (org.rocksdb.Options listing = new org.rocksdb.Options()) {
            names = RocksDB.listColumnFamilies(listing, path);
        }
        assertThat(names).extracting(n -> new String(n, StandardCharsets.UTF_8))
                .contains("hps_et." + table.model() + ".layout");
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        names.forEach(n -> descriptors.add(new ColumnFamilyDescriptor(n)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions(); RocksDB db = RocksDB.openReadOnly(options, path, descriptors, handles)) {
            ColumnFamilyHandle family = handles.get(names.stream().map(n -> new String(n, StandardCharsets.UTF_8))
                    .toList().indexOf("hps_et." + table.model() + ".layout"));
            byte[] key = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x0102030405060708L).array();
            assertThat(db.get(family, key)).isEqualTo(vector.toArray(ValueLayout.JAVA_BYTE));
            handles.forEach(ColumnFamilyHandle::close);
        }
    }
}
