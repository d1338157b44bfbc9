package io.hps.tier;

import io.hps.testing.RedisClusterProcess;
import io.hps.testing.RespConnection;
import io.hps.testing.SimpleLeakDetection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(SimpleLeakDetection.class)
@Tag("slow")
class RedisClusterTierTest extends EmbeddingTierContract {
    private static RedisClusterProcess cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RedisClusterProcess.start(3);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Override
    protected EmbeddingTier openTier() {
        return RedisTier.connect(RedisTierTest.testSettings(cluster.addresses(), true));
    }

    @Override
    protected TierKind expectedKind() {
        return TierKind.REDIS;
    }

    @Test
    void shouldSpreadPartitionsOverTheMasters() throws Exception {
        TierTable table = table("spread", 4);
        long[] keys = distinctKeys(2_000, 51);
        tier.put(table, keys, keys.length, randomVectors(keys.length, 4, 52), generous());

        Set<Integer> mastersWithData = new HashSet<>();
        long total = 0;
        for (int node = 0; node < cluster.nodes().size(); node++) {
            try (RespConnection connection = RespConnection.open(cluster.nodes().get(node).port(), 2000)) {
                long keysHere = (Long) connection.call("DBSIZE");
                total += keysHere;
                if (keysHere > 0) {
                    mastersWithData.add(node);
                }
            }
        }
        assertThat(total).as("one hash per partition").isGreaterThanOrEqualTo(5);
        assertThat(mastersWithData).hasSizeGreaterThan(1);
    }
}
