package io.hps.tier;

import io.hps.testing.RedisProcess;
import io.hps.testing.RespConnection;
import io.hps.testing.SimpleLeakDetection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(SimpleLeakDetection.class)
class RedisTierTest extends EmbeddingTierContract {
    private static final int PARTITIONS = 5;
    private static RedisProcess redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    /** Contract settings: short batches so batches span chunks, timeouts that tolerate a loaded test machine. */
    static RedisTierSettings testSettings(List<String> nodes, boolean cluster) {
        return new RedisTierSettings(nodes, cluster, PARTITIONS, 1000, 10_000, 0, 5, 3000, 100, 1000, 4, 1, 2, "", "", Long.MAX_VALUE, 0.8);
    }

    @Override
    protected EmbeddingTier openTier() {
        return RedisTier.connect(testSettings(List.of(redis.address()), false));
    }

    @Override
    protected TierKind expectedKind() {
        return TierKind.REDIS;
    }

    private static byte[] keyBytes(long key) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(key).array();
    }

    @Test
    void shouldEvictRandomEntriesOfOverflowingPartitionsDownToTheTarget() throws Exception {
        tier.close();
        RedisTier bounded = RedisTier.connect(testSettings(List.of(redis.address()), false).withOverflow(50, 0.5));
        tier = bounded;
        TierTable table = table("bounded", 4);
        long[] keys = distinctKeys(1_000, 43);
        MemorySegment vectors = randomVectors(keys.length, 4, 44);

        assertThat(tier.put(table, keys, keys.length, vectors, generous())).isEqualTo(TierResult.ok(keys.length));

        long size = keys.length;
        for (int attempt = 0; attempt < 200 && size != PARTITIONS * 25; attempt++) {
            Thread.sleep(25);
            size = tier.size(table, generous()).count();
        }
        assertThat(size).isEqualTo(PARTITIONS * 25);
        for (int attempt = 0; attempt < 200 && bounded.evictions() < keys.length - size; attempt++) {
            Thread.sleep(25);
        }
        assertThat(bounded.evictions()).isEqualTo(keys.length - size);
        MemorySegment out = filled(keys.length, 4, (byte) 0);
        boolean[] found = new boolean[keys.length];
        assertThat(tier.get(table, keys, keys.length, out, found, generous()).count()).isEqualTo(size);
        for (int i = 0; i < keys.length; i++) {
            if (found[i]) {
                assertSameVector(out, i, vectors, i, 4);
            }
        }
    }

    @Test
    void shouldWriteHugeCtrLayout() throws Exception {
        TierTable table = table("layout", 3);
        long key = -123456789L;
        MemorySegment vector = randomVectors(1, 3, 41);
        tier.put(table, new long[] {key}, 1, vector, generous());

        int partition = Rrxmrrxmsx0.partition(key, PARTITIONS);
        String hash = "hps_et{hps_et." + table.model() + ".layout/p" + partition + "}v";
        assertThat(RedisTier.valueHashName(table, partition)).isEqualTo(hash);
        try (RespConnection connection = RespConnection.open(redis.port(), 2000)) {
            byte[] stored = (byte[]) connection.call("HGET", hash, keyBytes(key));
            assertThat(stored).isEqualTo(vector.toArray(ValueLayout.JAVA_BYTE));
            assertThat(connection.call("HLEN", hash)).isEqualTo(1L);
        }
    }

    @Test
    void shouldReadHashesWrittenInHugeCtrLayoutByOthers() throws Exception {
        TierTable table = table("foreign", 2);
        long[] keys = {5, 6, 7};
        MemorySegment vectors = randomVectors(3, 2, 42);
        try (RespConnection connection = RespConnection.open(redis.port(), 2000)) {
            for (int i = 0; i < keys.length; i++) {
                String hash = "hps_et{hps_et." + table.model() + ".foreign/p" + Rrxmrrxmsx0.partition(keys[i], PARTITIONS) + "}v";
                connection.call("HSET", hash, keyBytes(keys[i]), vectors.asSlice(i * 8L, 8).toArray(ValueLayout.JAVA_BYTE));
            }
        }
        MemorySegment out = filled(3, 2, (byte) 0);
        boolean[] found = new boolean[3];
        assertThat(tier.get(table, keys, 3, out, found, generous())).isEqualTo(TierResult.ok(3));
        assertThat(out.mismatch(vectors)).isEqualTo(-1L);
    }

    @Test
    void shouldTreatAValueOfTheWrongLengthAsAMiss() throws Exception {
        TierTable table = table("corrupt", 2);
        try (RespConnection connection = RespConnection.open(redis.port(), 2000)) {
            connection.call("HSET", RedisTier.valueHashName(table, Rrxmrrxmsx0.partition(9, PARTITIONS)),
                    keyBytes(9), new byte[] {1, 2, 3});
        }
        boolean[] found = new boolean[1];
        assertThat(tier.get(table, new long[] {9}, 1, filled(1, 2, (byte) 0), found, generous()))
                .isEqualTo(TierResult.ok(0));
        assertThat(found[0]).isFalse();
    }
}
