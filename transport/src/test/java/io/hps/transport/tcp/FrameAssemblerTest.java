package io.hps.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The frame assembler on an embedded channel: frames split and joined at every kind of boundary. */
class FrameAssemblerTest {
    private final FrameBuffers buffers = new FrameBuffers(ByteBufAllocator.DEFAULT, 64L << 20);

    /** Length-prefixed frames of the given payload sizes, each payload filled from {@code seed}. */
    private static byte[] stream(int seed, int... sizes) {
        ByteBuf out = Unpooled.buffer();
        Random random = new Random(seed);
        for (int size : sizes) {
            out.writeMedium(size);
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            out.writeBytes(payload);
        }
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    /** Feeds {@code bytes} in reads cut at {@code cuts}; returns the frames the assembler emitted. */
    private List<byte[]> assemble(byte[] bytes, int... cuts) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameAssembler(buffers, FrameTransports.MAX_FRAME_LENGTH));
        List<ByteBuf> reads = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            reads.add(Unpooled.directBuffer(cut - from).writeBytes(bytes, from, cut - from));
            from = cut;
        }
        reads.add(Unpooled.directBuffer(bytes.length - from).writeBytes(bytes, from, bytes.length - from));
        for (ByteBuf read : reads) {
            channel.writeInbound(read);
        }
        List<byte[]> frames = new ArrayList<>();
        for (ByteBuf frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
            byte[] b = new byte[frame.readableBytes()];
            frame.readBytes(b);
            frame.release();
            frames.add(b);
        }
        assertThat(reads).allSatisfy(r -> assertThat(r.refCnt()).isZero());
        assertThat(channel.finish()).isFalse();
        return frames;
    }

    private static List<byte[]> expected(byte[] bytes, int... sizes) {
        List<byte[]> frames = new ArrayList<>();
        int at = 0;
        for (int size : sizes) {
            byte[] frame = new byte[3 + size];
            System.arraycopy(bytes, at, frame, 0, frame.length);
            frames.add(frame);
            at += frame.length;
        }
        return frames;
    }

    @Test
    void shouldPassFramesThatArriveWholeAsTheyAre() {
        byte[] bytes = stream(1, 10, 0, 200, 5);
        assertThat(assemble(bytes)).containsExactlyElementsOf(expected(bytes, 10, 0, 200, 5));
    }

    @Test
    void shouldJoinAFrameSplitOverManyReadsIntoOneBuffer() {
        int size = 300_000;
        byte[] bytes = stream(2, size, 7);
        int[] cuts = {1, 2, 3, 4, 65_536, 131_072, 250_000, 300_002, 300_003, 300_005};
        assertThat(assemble(bytes, cuts)).containsExactlyElementsOf(expected(bytes, size, 7));
    }

    @Test
    void shouldHandleEveryCutPosition() {
        byte[] bytes = stream(3, 4, 0, 70_000, 2);
        List<byte[]> expected = expected(bytes, 4, 0, 70_000, 2);
        for (int cut = 1; cut < bytes.length; cut += cut < 20 ? 1 : 997) {
            assertThat(assemble(bytes, cut)).as("cut at %d", cut).containsExactlyElementsOf(expected);
        }
        for (int cut = 1; cut + 2 < 20; cut++) {
            assertThat(assemble(bytes, cut, cut + 1, cut + 2)).as("cuts at %d..", cut)
                    .containsExactlyElementsOf(expected);
        }
    }

    @Test
    void shouldRefuseAFrameLongerThanTheLimit() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameAssembler(buffers, 1000));
        ByteBuf read = Unpooled.buffer().writeMedium(1001).writeZero(10);
        assertThatThrownBy(() -> channel.writeInbound(read)).isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("1001").hasMessageContaining("1000");
        assertThat(read.refCnt()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldReleaseAPartialFrameWhenTheConnectionCloses() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameAssembler(buffers, FrameTransports.MAX_FRAME_LENGTH));
        long freeBefore = buffers.freeBytes();
        channel.writeInbound(Unpooled.buffer().writeMedium(200_000).writeZero(100_000));
        assertThat(buffers.freeBytes()).isLessThan(freeBefore + 1);
        channel.close();
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(buffers.freeBytes()).isGreaterThanOrEqualTo(freeBefore + (256 << 10));
    }
}
