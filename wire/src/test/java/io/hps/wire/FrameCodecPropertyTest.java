package io.hps.wire;

import io.hps.wire.FrameSamples.EmbeddingsCase;
import io.hps.wire.FrameSamples.Sample;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.From;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class FrameCodecPropertyTest {

    @Provide
    Arbitrary<Sample> samples() {
        return FrameSamples.anySample();
    }

    @Property(tries = 400)
    void shouldDecodeWhatWasEncodedAtAnyOffset(@ForAll("samples") Sample sample, @ForAll @IntRange(max = 70) int prefix,
                                               @ForAll boolean direct) {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf out = direct ? buffers.direct(16) : buffers.heap(16);
            try {
                out.writeBytes(new byte[prefix]);
                sample.encode(out, buffers);
                int length = out.writerIndex() - prefix;
                assertThat(FrameHeader.peekType(out, prefix, length)).isEqualTo(sample.type());
                assertThat(FrameSamples.decode(sample.type(), out, prefix, length))
                        .isEqualTo(FrameSamples.normalized(sample));
            } finally {
                out.release();
            }
        }
    }

    @Property(tries = 100)
    void shouldDecodeWithReusedDecodersAfterRejectedFrames(@ForAll @Size(min = 1, max = 8) List<@From("samples") Sample> samples,
                                                          @ForAll long seed) {
        FrameSamples.Decoders decoders = new FrameSamples.Decoders();
        Random random = new Random(seed);
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            for (Sample sample : samples) {
                byte[] bytes = sample.bytes();
                byte[] corrupted = bytes.clone();
                corrupted[random.nextInt(Math.min(corrupted.length, 128))] ^= (byte) (1 + random.nextInt(255));
                ByteBuf bad = buffers.exact(corrupted);
                ByteBuf good = buffers.exact(bytes);
                try {
                    catchThrowable(() -> decoders.decode(sample.type(), bad, 0, corrupted.length));
                    assertThat(decoders.decode(sample.type(), good, 0, bytes.length))
                            .isEqualTo(FrameSamples.normalized(sample));
                } finally {
                    bad.release();
                    good.release();
                }
            }
        }
    }

    @Property(tries = 150)
    void shouldRejectEveryTruncation(@ForAll("samples") Sample sample) {
        byte[] bytes = sample.bytes();
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            for (int cut = 0; cut < bytes.length; cut++) {
                assertRejected(buffers, sample.type(), Arrays.copyOf(bytes, cut));
                if (cut >= FrameHeader.LENGTH) {
                    byte[] relabelled = Arrays.copyOf(bytes, cut);
                    writeIntLE(relabelled, FrameHeader.FRAME_LENGTH_OFFSET, cut);
                    assertRejected(buffers, sample.type(), relabelled);
                }
            }
        }
    }

    @Property(tries = 1000)
    void shouldRejectCorruptedFieldsOrDecodeThemConsistently(@ForAll("samples") Sample sample, @ForAll long seed) {
        byte[] bytes = sample.bytes();
        Random random = new Random(seed);
        int fieldsEnd = Math.min(bytes.length, 192);
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            bytes[random.nextInt(fieldsEnd)] = (byte) random.nextInt(256);
        }
        checkRejectedOrConsistent(sample.type(), bytes);
        Statistics.label("outcome").coverage(coverage -> {
            coverage.check("rejected").percentage(percent -> percent > 30);
            coverage.check("accepted").count(count -> count > 0);
        });
    }

    @Property(tries = 500)
    void shouldRejectCorruptedBytesAnywhereOrDecodeThemConsistently(@ForAll("samples") Sample sample,
                                                                    @ForAll long seed) {
        byte[] bytes = sample.bytes();
        Random random = new Random(seed);
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            int position = random.nextInt(bytes.length);
            bytes[position] = (byte) (random.nextBoolean() ? bytes[position] ^ (1 << random.nextInt(8))
                    : random.nextInt(256));
        }
        checkRejectedOrConsistent(sample.type(), bytes);
    }

    @Property(tries = 200)
    void shouldComposeALookupSectionIntoAScoreRequestWithoutCopying(@ForAll long seed) {
        Random random = new Random(seed);
        int batch = 1 + random.nextInt(4);
        int denseCount = random.nextInt(3);
        EmbeddingsCase embeddings = FrameSamples.embeddings(random, batch);
        RequestContext context = FrameSamples.context(random);
        byte[] dense = FrameSamples.randomBytes(random, 4 * batch * denseCount);
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf response = buffers.direct(256);
            ByteBuf denseBuffer = buffers.copyOf(dense, false);
            CompositeByteBuf request = null;
            try {
                new FrameSamples.LookupResponseCase(5, LookupStatus.OK, embeddings, false).encode(response, buffers);
                LookupResponseDecoder lookup = new LookupResponseDecoder().wrap(response, 0, response.readableBytes());
                request = ScoreRequestEncoder.composeReleasing(buffers.allocator(), context, batch, denseCount,
                        denseBuffer, lookup.embeddings().sectionRetainedSlice());
                assertThat(response.refCnt()).isEqualTo(2);
                ScoreRequestDecoder score = new ScoreRequestDecoder().wrap(request, 0, request.readableBytes());
                assertThat(score.context()).isEqualTo(context);
                assertThat(ByteBufUtil.hexDump(score.denseSlice())).isEqualTo(HexFormat.of().formatHex(dense));
                assertThat(EmbeddingsCase.read(score.embeddings())).isEqualTo(embeddings);
                assertSharesMemory(response, lookup, score);
            } finally {
                if (request != null) {
                    request.release();
                }
                assertThat(response.refCnt()).isEqualTo(1);
                response.release();
                denseBuffer.release();
            }
        }
    }

    /** A change to the response's section bytes shows in the score request: the section was not copied. */
    private static void assertSharesMemory(ByteBuf response, LookupResponseDecoder lookup, ScoreRequestDecoder score) {
        int tableCountIndex = LookupResponseDecoder.EMBEDDINGS_OFFSET + EmbeddingSection.TABLE_COUNT_OFFSET;
        int before = response.getIntLE(tableCountIndex);
        response.setIntLE(tableCountIndex, before + 1000);
        ByteBuf section = score.embeddings().sectionSlice();
        assertThat(section.getIntLE(EmbeddingSection.TABLE_COUNT_OFFSET)).isEqualTo(before + 1000);
        response.setIntLE(tableCountIndex, before);
        assertThat(lookup.embeddings().tableCount()).isEqualTo(before);
    }

    private static void checkRejectedOrConsistent(FrameType type, byte[] bytes) {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf frame = buffers.exact(bytes);
            try {
                Sample decoded = decodeOrNull(type, frame, bytes.length);
                Statistics.label("outcome").collect(decoded == null ? "rejected" : "accepted");
                if (decoded != null) {
                    assertThat(FrameSamples.decode(type, frame, 0, bytes.length)).isEqualTo(decoded);
                    byte[] again = decoded.bytes();
                    ByteBuf reencoded = buffers.exact(again);
                    try {
                        assertThat(FrameSamples.decode(type, reencoded, 0, again.length)).isEqualTo(decoded);
                    } finally {
                        reencoded.release();
                    }
                }
            } finally {
                frame.release();
            }
        }
    }

    private static Sample decodeOrNull(FrameType type, ByteBuf frame, int length) {
        Throwable failure = catchThrowable(() -> FrameSamples.decode(type, frame, 0, length));
        if (failure == null) {
            return FrameSamples.decode(type, frame, 0, length);
        }
        assertThat(failure).isInstanceOf(MalformedFrameException.class);
        assertThat(failure.getMessage()).containsPattern("\\w+=");
        return null;
    }

    private static void assertRejected(TrackedBuffers buffers, FrameType type, byte[] bytes) {
        ByteBuf frame = buffers.exact(bytes);
        try {
            assertThatThrownBy(() -> FrameSamples.decode(type, frame, 0, bytes.length))
                    .isInstanceOf(MalformedFrameException.class);
        } finally {
            frame.release();
        }
    }

    private static void writeIntLE(byte[] bytes, int index, int value) {
        for (int i = 0; i < 4; i++) {
            bytes[index + i] = (byte) (value >>> (8 * i));
        }
    }

}
