package io.hps.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class DeviceOwnerGpuTest {

    private final DeviceOwner owner = GpuRuntime.device(0);

    @Test
    void shouldRunTasksOnTheOwnerThreadAndRefuseCallsFromOthers() {
        DeviceContext context = owner.submit(c -> c).join();

        assertThat(owner.submit(c -> Thread.currentThread().getName()).join()).isEqualTo("hps-cuda-0");
        assertThatThrownBy(context::stream).isInstanceOf(GpuException.class).hasMessageContaining("off the owner thread");
    }

    @Test
    void shouldRoundTripPinnedMemoryThroughTheDevice() {
        float[] back = owner.submit(c -> {
            try (PinnedBuffer pinned = c.allocatePinned(4096); DeviceBuffer device = c.allocate(4096)) {
                for (int i = 0; i < 1024; i++) {
                    pinned.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, i * 0.5f + 1);
                }
                device.fillAsync(Float.NaN, 1024);
                device.copyFromAsync(pinned, 4096);
                pinned.segment().fill((byte) 0);
                device.copyToAsync(pinned, 4096);
                c.synchronize();
                float[] out = new float[1024];
                java.lang.foreign.MemorySegment.copy(pinned.segment(), ValueLayout.JAVA_FLOAT, 0, out, 0, 1024);
                return out;
            }
        }).join();

        for (int i = 0; i < 1024; i++) {
            assertThat(back[i]).isEqualTo(i * 0.5f + 1);
        }
    }

    @Test
    void shouldHandOutEachPooledBufferOnce() {
        owner.submit(c -> {
            try (DeviceBufferPool pool = new DeviceBufferPool(c, 1 << 20, 2)) {
                DeviceBuffer a = pool.poll();
                DeviceBuffer b = pool.poll();
                assertThat(a).isNotSameAs(b);
                assertThat(pool.poll()).isNull();
                pool.release(a);
                assertThatThrownBy(() -> pool.release(a)).isInstanceOf(GpuException.class);
                assertThat(pool.poll()).isSameAs(a);
            }
            return null;
        }).join();
    }

    @Test
    void shouldFailTheFutureWhenATaskThrows() {
        assertThatThrownBy(() -> owner.submit(c -> c.allocate(-1)).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(GpuException.class);
    }
}
