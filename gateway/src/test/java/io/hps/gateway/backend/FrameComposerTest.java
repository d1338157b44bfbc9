package io.hps.gateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.wire.LookupRequestDecoder;
import io.hps.wire.LookupRequestEncoder;
import io.hps.wire.RequestContext;
import io.hps.wire.ScoreRequestDecoder;
import io.hps.wire.ScoreRequestEncoder;
import io.hps.wire.VectorDtype;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.AlphaChars;

/** Composed frames are byte for byte what the wire encoders write, and decode back to their inputs. */
class FrameComposerTest {
    private static final ByteBufAllocator ALLOCATOR = ByteBufAllocator.DEFAULT;

    @Property(tries = 50)
    void scoreRequestShouldEqualTheEncodersFrame(@ForAll @IntRange(min = 1, max = 5) int requests,
                                                 @ForAll @IntRange(min = 1, max = 7) int samplesEach,
                                                 @ForAll @IntRange(min = 0, max = 20) int denseCount,
                                                 @ForAll @IntRange(min = 1, max = 30) int tableCount,
                                                 @ForAll @AlphaChars @StringLength(min = 1, max = 80) String model) {
        RequestContext context = new RequestContext(model, 42, 1_700_000_000_000_000L);
        int batch = requests * samplesEach;
        ByteBuf dense = ALLOCATOR.buffer(4 * batch * denseCount);
        ByteBuf keys = ALLOCATOR.buffer(8 * batch * tableCount);
        for (int i = 0; i < batch * denseCount; i++) {
            dense.writeFloatLE(i * 0.5f);
        }
        for (int i = 0; i < batch * tableCount; i++) {
            keys.writeLongLE(i * 3L);
        }
        ByteBuf expected = ALLOCATOR.buffer();
        ByteBuf composed = null;
        try {
            ScoreRequestEncoder.encodeKeys(expected, context, batch, denseCount, tableCount, dense, keys);
            List<ByteBuf> denseParts = split(dense, requests, 4 * samplesEach * denseCount);
            List<ByteBuf> keyParts = split(keys, requests, 8 * samplesEach * tableCount);
            composed = FrameComposer.scoreRequest(ALLOCATOR, context, denseCount, tableCount, denseParts, keyParts);
            assertThat(ByteBufUtil.hexDump(composed)).isEqualTo(ByteBufUtil.hexDump(expected));
            ScoreRequestDecoder decoder = new ScoreRequestDecoder().wrap(composed, 0, composed.readableBytes());
            assertThat(decoder.batchSize()).isEqualTo(batch);
            assertThat(decoder.key(batch - 1, tableCount - 1)).isEqualTo((batch * tableCount - 1) * 3L);
        } finally {
            expected.release();
            if (composed != null) {
                composed.release();
            }
            assertThat(dense.refCnt()).isEqualTo(1);
            dense.release();
            keys.release();
        }
    }

    @Property(tries = 50)
    void lookupRequestShouldEqualTheEncodersFrame(@ForAll @IntRange(min = 1, max = 40) int tables,
                                                  @ForAll @IntRange(min = 0, max = 9) int keysPerTable,
                                                  @ForAll @AlphaChars @StringLength(min = 1, max = 80) String model) {
        RequestContext context = new RequestContext(model, 7, 0);
        int[] counts = new int[tables];
        java.util.Arrays.fill(counts, keysPerTable);
        ByteBuf keys = ALLOCATOR.buffer(8 * tables * keysPerTable);
        for (int i = 0; i < tables * keysPerTable; i++) {
            keys.writeLongLE(1000L + i);
        }
        ByteBuf expected = ALLOCATOR.buffer();
        ByteBuf composed = null;
        try {
            LookupRequestEncoder.encode(expected, context, VectorDtype.F32, false, counts, keys);
            composed = FrameComposer.lookupRequest(ALLOCATOR, context, counts, keys);
            assertThat(ByteBufUtil.hexDump(composed)).isEqualTo(ByteBufUtil.hexDump(expected));
            LookupRequestDecoder decoder = new LookupRequestDecoder().wrap(composed, 0, composed.readableBytes());
            assertThat(decoder.totalKeys()).isEqualTo(tables * keysPerTable);
        } finally {
            expected.release();
            if (composed != null) {
                composed.release();
            }
            keys.release();
        }
    }

    private static List<ByteBuf> split(ByteBuf whole, int parts, int bytesEach) {
        return java.util.stream.IntStream.range(0, parts).mapToObj(i -> whole.slice(i * bytesEach, bytesEach)).toList();
    }
}
