package io.hps.update;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.lookup.LookupOutcome;
import io.hps.lookup.LookupSession;
import io.hps.model.config.PsConfigFile;
import io.hps.store.HpsSettings;
import io.hps.store.LoadProgress;
import io.hps.store.ParameterServer;
import io.hps.store.Tiers;
import io.hps.store.TestModel;
import io.hps.testing.RedisProcess;
import io.hps.testing.SimpleLeakDetection;
import io.hps.tier.Deadline;
import io.hps.tier.RedisTier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.Redisson;

/**
 * Two replicas sharing one Redis volatile tier: an upsert on one reaches the other's cache
 * through Redis pub/sub, so the other serves the new vector from its cache.
 */
@ExtendWith(SimpleLeakDetection.class)
class RedisUpdatePropagationTest {
    @TempDir
    static Path root;
    /** Lookup deadlines for a loaded test machine rather than for serving. */
    static final HpsSettings PATIENT = new HpsSettings(new io.hps.lookup.LookupSettings(1.0, 2_000, 2, 16),
            1_000, 1, 2);
    static RedisProcess redis;
    static TestModel model;

    @BeforeAll
    static void start() {
        redis = RedisProcess.start();
        model = TestModel.generate(root);
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    private static Replica replica(PsConfigFile ps) throws Exception {
        ParameterServer server = ParameterServer.create(ps.config(), PATIENT, new SimpleMeterRegistry());
        server.load(LoadProgress.NONE).get(60, TimeUnit.SECONDS);
        RedisUpdateChannel channel = new RedisUpdateChannel(Redisson.create(RedisTier.redissonConfig(
                Tiers.updateChannelSettings(ps.config().volatileDb(), HpsSettings.DEFAULTS))));
        return new Replica(server, new EmbeddingUpdater(server, channel));
    }

    record Replica(ParameterServer server, EmbeddingUpdater updater) implements AutoCloseable {
        LookupSession session() {
            return server.session(TestModel.NAME).orElseThrow();
        }

        @Override
        public void close() {
            updater.close();
            server.close();
        }
    }

    @Test
    void shouldRefreshTheOtherReplicasCacheWhenOneUpserts() throws Exception {
        PsConfigFile ps = model.psConfig("{\"type\": \"redis_cluster\", \"address\": \"" + redis.address()
                        + "\", \"num_partitions\": 4, \"initial_cache_rate\": 1.0}", "{\"type\": \"disabled\"}",
                "\"gpucache\": true, \"gpucacheper\": 1.0, \"init_ec\": false, \"hit_rate_threshold\": 1.0");
        int dim = model.tables().getFirst().dimension();
        long[] keys = {5, 6};
        try (Replica a = replica(ps); Replica b = replica(ps); Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(2L * dim * 4);
            long cachedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (b.session().lookup(0, keys, 0, 2, out, 0).cacheHits() < 2 && System.nanoTime() < cachedBy) {
                Thread.sleep(10);
            }
            assertThat(TestModel.row(out, 0, dim)).as("b caches key 5 from Redis").containsExactly(model.vector(0, 5));

            MemorySegment vectors = arena.allocate(2L * dim * 4);
            for (int i = 0; i < 2 * dim; i++) {
                vectors.setAtIndex(ValueLayout.JAVA_FLOAT, i, 100f + i / dim);
            }
            assertThat(a.updater().upsert(TestModel.NAME, model.tables().getFirst().name(), keys, 2, vectors,
                    Deadline.inNanos(TimeUnit.SECONDS.toNanos(5))).isOk()).isTrue();

            float[] expected = new float[dim];
            Arrays.fill(expected, 101f);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            LookupOutcome outcome;
            do {
                Thread.sleep(10);
                outcome = b.session().lookup(0, keys, 0, 2, out, 0);
            } while (!Arrays.equals(TestModel.row(out, 1, dim), expected) && System.nanoTime() < until);
            assertThat(TestModel.row(out, 1, dim)).containsExactly(expected);
            assertThat(outcome.cacheHits()).as("served from b's cache, updated by the notice").isEqualTo(2);
        }
    }
}
