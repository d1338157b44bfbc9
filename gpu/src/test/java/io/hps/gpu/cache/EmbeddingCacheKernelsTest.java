package io.hps.gpu.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.gpu.KernelModule;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The committed PTX of {@code embedding_cache.cu}: its entries and the warp instructions the table relies on. */
class EmbeddingCacheKernelsTest {
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(");

    @Test
    void shouldShipEveryTableOperationAsAnEntry() {
        String ptx = ptx();
        Set<String> entries = new TreeSet<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            entries.add(m.group(1));
        }

        assertThat(ptx).contains(".target sm_90").contains(".address_size 64");
        assertThat(entries).containsExactly("cache_dump", "cache_invalidate", "cache_query", "cache_replace",
                "cache_update");
    }

    @Test
    void shouldProbeWithWarpVotesAndLockSetsWithCompareAndSwap() {
        assertThat(ptx()).contains("vote.sync.ballot.b32").contains("atom.global.cas.b32")
                .contains("shfl.sync.bfly.b32").contains("mul.hi.u64");
    }

    private static String ptx() {
        return new String(KernelModule.ptx(DeviceHashTable.MODULE), StandardCharsets.US_ASCII);
    }
}
