package io.hps.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frame contents as plain values, random generators for them, and a full read-back from each
 * decoder that touches every accessor. Values compare by content, so {@code read(encode(x))}
 * can be checked with {@code equals}.
 */
final class FrameSamples {
    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_./é水€";
    private static final VectorDtype[] DTYPES = VectorDtype.values();
    private static final EmbeddingLayout[] LAYOUTS = EmbeddingLayout.values();

    private FrameSamples() {
    }

    /** A frame of some type with its encoded bytes. */
    sealed interface Sample permits LookupRequestCase, LookupResponseCase, ScoreRequestCase, ScoreResponseCase,
            ErrorCase {
        FrameType type();

        /** Writes the frame at the writer index of {@code out}. */
        void encode(ByteBuf out, TrackedBuffers buffers);

        default byte[] bytes() {
            try (TrackedBuffers buffers = new TrackedBuffers()) {
                ByteBuf out = buffers.heap(64);
                try {
                    encode(out, buffers);
                    return ByteBufUtil.getBytes(out);
                } finally {
                    out.release();
                }
            }
        }
    }

    record LookupRequestCase(RequestContext context, VectorDtype dtype, boolean unique, List<List<Long>> keys)
            implements Sample {
        @Override
        public FrameType type() {
            return FrameType.LOOKUP_REQUEST;
        }

        int[] keyCounts() {
            return keys.stream().mapToInt(List::size).toArray();
        }

        @Override
        public void encode(ByteBuf out, TrackedBuffers buffers) {
            ByteBuf keyBytes = buffers.heap(64);
            try {
                keys.forEach(table -> table.forEach(keyBytes::writeLongLE));
                int before = out.writerIndex();
                int written = LookupRequestEncoder.encode(out, context, dtype, unique, keyCounts(), keyBytes);
                assertThat(written).isEqualTo(out.writerIndex() - before)
                        .isEqualTo(LookupRequestEncoder.frameLength(context, keyCounts()));
            } finally {
                keyBytes.release();
            }
        }

        static LookupRequestCase read(LookupRequestDecoder decoder) {
            List<List<Long>> keys = new ArrayList<>();
            for (int t = 0; t < decoder.tableCount(); t++) {
                List<Long> table = new ArrayList<>();
                for (int k = 0; k < decoder.keyCount(t); k++) {
                    table.add(decoder.key(t, k));
                    assertThat(decoder.key(decoder.keyStart(t) + k)).isEqualTo(decoder.key(t, k));
                }
                keys.add(table);
            }
            assertThat(decoder.keysSlice().readableBytes()).isEqualTo(8 * decoder.totalKeys());
            return new LookupRequestCase(decoder.context(), decoder.dtype(), decoder.uniqueVectors(), keys);
        }
    }

    /** An embedding section's contents; {@code vectorsHex} is empty when the vectors are behind a handle. */
    record EmbeddingsCase(EmbeddingBlock block, List<Integer> inverse, String vectorsHex) {
        ByteBuf inverseBuffer(TrackedBuffers buffers) {
            if (block.layout() != EmbeddingLayout.UNIQUE) {
                return null;
            }
            ByteBuf buffer = buffers.heap(4 * inverse.size() + 1);
            inverse.forEach(buffer::writeIntLE);
            return buffer;
        }

        ByteBuf vectorsBuffer(TrackedBuffers buffers) {
            return block.handle() != null ? null : buffers.copyOf(HexFormat.of().parseHex(vectorsHex), true);
        }

        static EmbeddingsCase read(EmbeddingSection section) {
            int tables = section.tableCount();
            int[] dims = new int[tables];
            int[] counts = new int[tables];
            int[] unique = section.layout() == EmbeddingLayout.UNIQUE ? new int[tables] : null;
            List<Integer> inverse = new ArrayList<>();
            for (int t = 0; t < tables; t++) {
                dims[t] = section.dim(t);
                counts[t] = section.keyCount(t);
                if (unique != null) {
                    unique[t] = section.rowCount(t);
                    for (int k = 0; k < counts[t]; k++) {
                        inverse.add(section.inverseIndex(t, k));
                    }
                }
            }
            EmbeddingBlock block = new EmbeddingBlock(section.dtype(), section.layout(), dims, counts, unique,
                    section.handle());
            assertThat(section.vectorBytes()).isEqualTo(block.vectorBytes());
            if (section.storage() != VectorStorage.INLINE) {
                return new EmbeddingsCase(block, inverse, "");
            }
            ByteBuf vectors = section.vectorsSlice();
            checkElements(section, vectors);
            return new EmbeddingsCase(block, inverse, ByteBufUtil.hexDump(vectors));
        }

        /** Every element read through the section equals the one at the layout's position, computed here independently. */
        private static void checkElements(EmbeddingSection section, ByteBuf vectors) {
            int bytes = section.dtype().bytes();
            long tableStart = 0;
            for (int t = 0; t < section.tableCount(); t++) {
                int dim = section.dim(t);
                for (int k = 0; k < section.keyCount(t); k++) {
                    int row = section.row(t, k);
                    assertThat(row).isBetween(0, section.rowCount(t) - 1);
                    long expected = section.layout() == EmbeddingLayout.SAMPLE_MAJOR
                            ? ((long) k * section.tableCount() + t) * dim * bytes
                            : tableStart + (long) row * dim * bytes;
                    assertThat(section.vectorOffset(t, row)).isEqualTo(expected);
                    for (int c = 0; c < dim; c++) {
                        float viaSection = section.element(t, row, c);
                        float direct = HalfPrecision.get(vectors, (int) expected + c * bytes, section.dtype());
                        assertThat(Float.floatToRawIntBits(viaSection)).isEqualTo(Float.floatToRawIntBits(direct));
                    }
                }
                tableStart += (long) section.rowCount(t) * dim * bytes;
            }
        }
    }

    record LookupResponseCase(long requestId, LookupStatus status, EmbeddingsCase embeddings, boolean compose)
            implements Sample {
        @Override
        public FrameType type() {
            return FrameType.LOOKUP_RESPONSE;
        }

        @Override
        public void encode(ByteBuf out, TrackedBuffers buffers) {
            ByteBuf inverse = embeddings.inverseBuffer(buffers);
            ByteBuf vectors = embeddings.vectorsBuffer(buffers);
            try {
                EmbeddingBlock block = embeddings.block();
                if (compose && vectors != null) {
                    ByteBuf frame = LookupResponseEncoder.composeReleasing(buffers.allocator(), requestId, status,
                            block, inverse, vectors);
                    vectors = null;
                    out.writeBytes(frame);
                    frame.release();
                } else {
                    int written = LookupResponseEncoder.encode(out, requestId, status, block, inverse, vectors);
                    assertThat(written).isEqualTo(LookupResponseEncoder.frameLength(block));
                }
            } finally {
                release(inverse);
                release(vectors);
            }
        }

        LookupResponseCase withoutCompose() {
            return new LookupResponseCase(requestId, status, embeddings, false);
        }

        static LookupResponseCase read(LookupResponseDecoder decoder) {
            return new LookupResponseCase(decoder.requestId(), decoder.status(),
                    EmbeddingsCase.read(decoder.embeddings()), false);
        }
    }

    /** A score request: {@code keys} for "infer", else {@code embeddings}. */
    record ScoreRequestCase(RequestContext context, int batch, int denseCount, int tableCount, String denseHex,
                            List<Long> keys, EmbeddingsCase embeddings) implements Sample {
        @Override
        public FrameType type() {
            return FrameType.SCORE_REQUEST;
        }

        @Override
        public void encode(ByteBuf out, TrackedBuffers buffers) {
            ByteBuf dense = buffers.copyOf(HexFormat.of().parseHex(denseHex), false);
            try {
                if (keys != null) {
                    encodeKeys(out, buffers, dense);
                } else {
                    encodeEmbeddings(out, buffers, dense);
                }
            } finally {
                dense.release();
            }
        }

        private void encodeKeys(ByteBuf out, TrackedBuffers buffers, ByteBuf dense) {
            ByteBuf keyBytes = buffers.heap(8 * keys.size() + 1);
            try {
                keys.forEach(keyBytes::writeLongLE);
                int written = ScoreRequestEncoder.encodeKeys(out, context, batch, denseCount, tableCount, dense, keyBytes);
                assertThat(written).isEqualTo(ScoreRequestEncoder.keysFrameLength(context, batch, denseCount, tableCount));
            } finally {
                keyBytes.release();
            }
        }

        private void encodeEmbeddings(ByteBuf out, TrackedBuffers buffers, ByteBuf dense) {
            ByteBuf inverse = embeddings.inverseBuffer(buffers);
            ByteBuf vectors = embeddings.vectorsBuffer(buffers);
            try {
                int written = ScoreRequestEncoder.encode(out, context, batch, denseCount, dense, embeddings.block(),
                        inverse, vectors);
                assertThat(written).isEqualTo(ScoreRequestEncoder.frameLength(context, batch, denseCount,
                        embeddings.block()));
            } finally {
                release(inverse);
                release(vectors);
            }
        }

        static ScoreRequestCase read(ScoreRequestDecoder decoder) {
            int batch = decoder.batchSize();
            for (int b = 0; b < batch; b++) {
                for (int d = 0; d < decoder.denseCount(); d++) {
                    float viaSlice = decoder.denseSlice().getFloatLE(4 * (b * decoder.denseCount() + d));
                    assertThat(Float.floatToRawIntBits(decoder.dense(b, d))).isEqualTo(Float.floatToRawIntBits(viaSlice));
                }
            }
            String dense = ByteBufUtil.hexDump(decoder.denseSlice());
            if (!decoder.carriesKeys()) {
                return new ScoreRequestCase(decoder.context(), batch, decoder.denseCount(), decoder.tableCount(),
                        dense, null, EmbeddingsCase.read(decoder.embeddings()));
            }
            List<Long> keys = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < decoder.tableCount(); t++) {
                    keys.add(decoder.key(b, t));
                }
            }
            return new ScoreRequestCase(decoder.context(), batch, decoder.denseCount(), decoder.tableCount(), dense,
                    keys, null);
        }
    }

    record ScoreResponseCase(long requestId, List<Float> scores) implements Sample {
        @Override
        public FrameType type() {
            return FrameType.SCORE_RESPONSE;
        }

        @Override
        public void encode(ByteBuf out, TrackedBuffers buffers) {
            ByteBuf scoreBytes = buffers.heap(4 * scores.size());
            try {
                scores.forEach(scoreBytes::writeFloatLE);
                ScoreResponseEncoder.encode(out, requestId, scoreBytes);
            } finally {
                scoreBytes.release();
            }
        }

        static ScoreResponseCase read(ScoreResponseDecoder decoder) {
            List<Float> scores = new ArrayList<>();
            for (int i = 0; i < decoder.batchSize(); i++) {
                scores.add(decoder.score(i));
            }
            assertThat(decoder.scoresSlice().readableBytes()).isEqualTo(4 * scores.size());
            return new ScoreResponseCase(decoder.requestId(), scores);
        }
    }

    record ErrorCase(long requestId, ErrorCode code, String message) implements Sample {
        @Override
        public FrameType type() {
            return FrameType.ERROR;
        }

        @Override
        public void encode(ByteBuf out, TrackedBuffers buffers) {
            ErrorFrameEncoder.encode(out, requestId, code, message);
        }

        static ErrorCase read(ErrorFrameDecoder decoder) {
            return new ErrorCase(decoder.requestId(), decoder.code(), decoder.message());
        }
    }

    /** Decodes the frame of {@code type} at {@code [offset, offset + length)} with fresh decoders and reads every field back. */
    static Sample decode(FrameType type, ByteBuf buffer, int offset, int length) {
        return new Decoders().decode(type, buffer, offset, length);
    }

    /** One decoder of each type, reused across frames as a service thread would. */
    static final class Decoders {
        private final LookupRequestDecoder lookupRequest = new LookupRequestDecoder();
        private final LookupResponseDecoder lookupResponse = new LookupResponseDecoder();
        private final ScoreRequestDecoder scoreRequest = new ScoreRequestDecoder();
        private final ScoreResponseDecoder scoreResponse = new ScoreResponseDecoder();
        private final ErrorFrameDecoder error = new ErrorFrameDecoder();

        Sample decode(FrameType type, ByteBuf buffer, int offset, int length) {
            return switch (type) {
                case LOOKUP_REQUEST -> LookupRequestCase.read(lookupRequest.wrap(buffer, offset, length));
                case LOOKUP_RESPONSE -> LookupResponseCase.read(lookupResponse.wrap(buffer, offset, length));
                case SCORE_REQUEST -> ScoreRequestCase.read(scoreRequest.wrap(buffer, offset, length));
                case SCORE_RESPONSE -> ScoreResponseCase.read(scoreResponse.wrap(buffer, offset, length));
                case ERROR -> ErrorCase.read(error.wrap(buffer, offset, length));
            };
        }
    }

    /** The value a decoder reads back: compose is an encoding choice, not content. */
    static Sample normalized(Sample sample) {
        return sample instanceof LookupResponseCase response ? response.withoutCompose() : sample;
    }

    static Arbitrary<Sample> anySample() {
        return Arbitraries.oneOf(lookupRequests(), lookupResponses(), scoreRequests(), scoreResponses(), errors());
    }

    static Arbitrary<Sample> lookupRequests() {
        return Arbitraries.randomValue(FrameSamples::lookupRequest);
    }

    static Arbitrary<Sample> lookupResponses() {
        return Arbitraries.randomValue(random -> new LookupResponseCase(random.nextLong(),
                LookupStatus.values()[random.nextInt(2)], embeddings(random, -1), random.nextBoolean()));
    }

    static Arbitrary<Sample> scoreRequests() {
        return Arbitraries.randomValue(FrameSamples::scoreRequest);
    }

    static Arbitrary<Sample> scoreResponses() {
        return Arbitraries.randomValue(random -> {
            List<Float> scores = new ArrayList<>();
            for (int i = 1 + random.nextInt(9); i > 0; i--) {
                scores.add(random.nextInt(8) == 0 ? Float.NaN : (float) random.nextGaussian());
            }
            return new ScoreResponseCase(random.nextLong(), scores);
        });
    }

    static Arbitrary<Sample> errors() {
        return Arbitraries.randomValue(random -> new ErrorCase(random.nextLong(),
                ErrorCode.values()[random.nextInt(ErrorCode.values().length)], name(random, 0, 40)));
    }

    static LookupRequestCase lookupRequest(Random random) {
        List<List<Long>> keys = new ArrayList<>();
        for (int t = 1 + random.nextInt(4); t > 0; t--) {
            List<Long> table = new ArrayList<>();
            for (int k = random.nextInt(7); k > 0; k--) {
                table.add(random.nextLong());
            }
            keys.add(table);
        }
        return new LookupRequestCase(context(random), DTYPES[random.nextInt(3)], random.nextBoolean(), keys);
    }

    static ScoreRequestCase scoreRequest(Random random) {
        int batch = 1 + random.nextInt(4);
        int denseCount = random.nextInt(4);
        byte[] dense = new byte[4 * batch * denseCount];
        random.nextBytes(dense);
        String denseHex = HexFormat.of().formatHex(dense);
        if (random.nextBoolean()) {
            int tables = 1 + random.nextInt(4);
            List<Long> keys = new ArrayList<>();
            for (int i = batch * tables; i > 0; i--) {
                keys.add(random.nextLong());
            }
            return new ScoreRequestCase(context(random), batch, denseCount, tables, denseHex, keys, null);
        }
        EmbeddingsCase embeddings = embeddings(random, batch);
        return new ScoreRequestCase(context(random), batch, denseCount, embeddings.block().tableCount(), denseHex, null,
                embeddings);
    }

    static RequestContext context(Random random) {
        long deadline = random.nextBoolean() ? 0 : random.nextLong() & Long.MAX_VALUE;
        return new RequestContext(name(random, 1, 12), random.nextLong(), deadline);
    }

    /** Random embeddings; with {@code batch >= 0} every table has {@code batch} keys, as a score request needs. */
    static EmbeddingsCase embeddings(Random random, int batch) {
        EmbeddingLayout layout = LAYOUTS[random.nextInt(3)];
        int tables = 1 + random.nextInt(4);
        int sharedDim = 1 + random.nextInt(5);
        int sharedCount = batch >= 0 ? batch : random.nextInt(6);
        int[] dims = new int[tables];
        int[] counts = new int[tables];
        for (int t = 0; t < tables; t++) {
            boolean uniform = layout == EmbeddingLayout.SAMPLE_MAJOR;
            dims[t] = uniform ? sharedDim : 1 + random.nextInt(5);
            counts[t] = uniform || batch >= 0 ? sharedCount : random.nextInt(6);
        }
        int[] unique = layout == EmbeddingLayout.UNIQUE ? uniqueCounts(random, counts) : null;
        List<Integer> inverse = new ArrayList<>();
        for (int t = 0; unique != null && t < tables; t++) {
            for (int k = 0; k < counts[t]; k++) {
                inverse.add(random.nextInt(unique[t]));
            }
        }
        EmbeddingBlock block = new EmbeddingBlock(DTYPES[random.nextInt(3)], layout, dims, counts, unique, null);
        return switch (random.nextInt(4)) {
            case 0 -> new EmbeddingsCase(block.withHandle(new VectorHandle.SharedMemory("/" + name(random, 1, 10),
                    random.nextLong() & 0xFFFF_FFFFL, block.vectorBytes())), inverse, "");
            case 1 -> new EmbeddingsCase(block.withHandle(new VectorHandle.CudaIpc(randomBytes(random, 64),
                    random.nextInt(8), random.nextLong() & 0xFFFF_FFFFL, block.vectorBytes())), inverse, "");
            default -> new EmbeddingsCase(block, inverse,
                    HexFormat.of().formatHex(randomBytes(random, (int) block.vectorBytes())));
        };
    }

    private static int[] uniqueCounts(Random random, int[] counts) {
        return Arrays.stream(counts).map(count -> count == 0 ? 0 : 1 + random.nextInt(count)).toArray();
    }

    static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    static String name(Random random, int minLength, int maxLength) {
        StringBuilder name = new StringBuilder();
        int length = minLength + random.nextInt(maxLength - minLength + 1);
        for (int i = 0; i < length; i++) {
            name.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
        }
        return name.toString();
    }

    private static void release(ByteBuf buffer) {
        if (buffer != null) {
            buffer.release();
        }
    }
}
