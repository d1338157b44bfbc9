package io.hps.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixtures must work with the binary inside the embedded-redis jar, without redis-cli. */
@Tag("slow")
class RedisFixturesTest {

    @Test
    void shouldServeFromTheEmbeddedBinaryUntilKilledAndAgainAfterRestart() throws Exception {
        try (RedisProcess redis = RedisProcess.start(RedisProcess.embeddedBinary(), List.of())) {
            try (RespConnection connection = RespConnection.open(redis.port(), 2000)) {
                assertThat(connection.callText("SET", "k", "v")).isEqualTo("OK");
                assertThat(connection.callText("GET", "k")).isEqualTo("v");
            }
            redis.kill();
            assertThat(redis.alive()).isFalse();
            redis.restart();
            try (RespConnection connection = RespConnection.open(redis.port(), 2000)) {
                assertThat(connection.callText("GET", "k")).as("restarted empty").isNull();
            }
        }
    }

    @Test
    void shouldFormAClusterOfEmbeddedBinariesWithRawClusterCommands() throws Exception {
        try (RedisClusterProcess cluster = RedisClusterProcess.start(3, RedisProcess.embeddedBinary(), null)) {
            assertThat(cluster.addresses()).hasSize(3);
            try (RespConnection connection = RespConnection.open(cluster.nodes().get(1).port(), 2000)) {
                assertThat(connection.callText("CLUSTER", "INFO")).contains("cluster_state:ok", "cluster_known_nodes:3");
                assertThat((Long) connection.call("CLUSTER", "COUNTKEYSINSLOT", "0")).isZero();
            }
        }
    }
}
