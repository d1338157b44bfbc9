package io.hps.transport.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.gpu.GpuException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class HandleRequestTest {

    @Test
    void shouldRoundTripThroughItsFrame() {
        byte[] handle = new byte[64];
        for (int i = 0; i < handle.length; i++) {
            handle[i] = (byte) (i * 7);
        }
        ByteBuf frame = new HandleRequest(4096, 26, handle).encode(UnpooledByteBufAllocator.DEFAULT);
        try {
            assertThat(frame.readableBytes()).isEqualTo(HandleRequest.LENGTH);
            assertThat(frame.getIntLE(0)).isEqualTo(4096);
            HandleRequest back = HandleRequest.decode(frame);
            assertThat(back.batch()).isEqualTo(4096);
            assertThat(back.tables()).isEqualTo(26);
            assertThat(back.handle()).isEqualTo(handle);
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldCarryTheEventHandleWhenTheKeysAreStillOnTheirWay() {
        byte[] handle = new byte[64];
        byte[] event = new byte[64];
        for (int i = 0; i < event.length; i++) {
            handle[i] = (byte) i;
            event[i] = (byte) (255 - i);
        }
        ByteBuf frame = new HandleRequest(32, 26, handle, event).encode(UnpooledByteBufAllocator.DEFAULT);
        try {
            assertThat(frame.readableBytes()).isEqualTo(HandleRequest.LENGTH_WITH_EVENT).isEqualTo(136);
            HandleRequest back = HandleRequest.decode(frame);
            assertThat(back.batch()).isEqualTo(32);
            assertThat(back.handle()).isEqualTo(handle);
            assertThat(back.event()).isEqualTo(event);
        } finally {
            frame.release();
        }
        ByteBuf plain = new HandleRequest(32, 26, handle).encode(UnpooledByteBufAllocator.DEFAULT);
        try {
            assertThat(HandleRequest.decode(plain).event()).isNull();
        } finally {
            plain.release();
        }
    }

    @Test
    void shouldRejectAnEventHandleOfTheWrongSize() {
        assertThatThrownBy(() -> new HandleRequest(32, 26, new byte[64], new byte[63]))
                .isInstanceOf(GpuException.class).hasMessageContaining("eventBytes=63");
    }

    @Test
    void shouldRejectATruncatedFrame() {
        ByteBuf frame = Unpooled.buffer(HandleRequest.LENGTH - 1).writeZero(HandleRequest.LENGTH - 1);
        try {
            assertThatThrownBy(() -> HandleRequest.decode(frame)).isInstanceOf(GpuException.class)
                    .hasMessageContaining("length=71");
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldRejectAnEmptyBatch() {
        assertThatThrownBy(() -> new HandleRequest(0, 26, new byte[64])).isInstanceOf(GpuException.class)
                .hasMessageContaining("batch=0");
    }
}
