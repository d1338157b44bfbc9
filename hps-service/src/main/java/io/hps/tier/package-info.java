/**
 * Storage tiers of the parameter server, below the embedding cache: the volatile tiers
 * ({@link io.hps.tier.HashMapTier} in process, {@link io.hps.tier.RedisTier} in Redis or Redis
 * Cluster) and the persistent tier ({@link io.hps.tier.RocksDbTier}), all behind
 * {@link io.hps.tier.EmbeddingTier}.
 *
 * <p>Data layout follows HugeCTR's database backends (v24.06) so that data written by HugeCTR tools
 * is readable here and the other way round:
 * <pre>
 * table tag        hps_et.&lt;model&gt;.&lt;table&gt;                         {@link io.hps.tier.TierTable#tag()}
 * partition        rrxmrrxmsx_0(key) mod num_partitions (unsigned)    {@link io.hps.tier.Rrxmrrxmsx0}
 * Redis hash       hps_et{&lt;tag&gt;/p&lt;partition&gt;}v, field = key (8 bytes LE), value = vector bytes
 * RocksDB          column family &lt;tag&gt;, key = 8 bytes LE, value = vector bytes
 * vector bytes     dimension x float32 little-endian
 * </pre>
 *
 * <p>Every call carries a {@link io.hps.tier.Deadline}; expected outcomes (deadline passed, tier
 * unavailable) are {@link io.hps.tier.TierResult} values, never exceptions.
 */
package io.hps.tier;
