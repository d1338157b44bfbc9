package io.hps.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The driver against an in-process exchange that answers at once except for one long stall. */
class LoadDriverTest {
    private static final long STALL_MILLIS = 1000;
    private static final long LONG_MICROS = 200_000;

    private static final DlrmArchitecture ARCHITECTURE = new DlrmArchitecture(2,
            List.of(new TableSpec("t0", 100, 4), new TableSpec("t1", 100, 4)), new int[] {8, 4}, new int[] {8, 1});

    /** Answers at once, except call number {@code stallAt} which takes {@link #STALL_MILLIS}. */
    private static final class StallingExchange implements Exchange {
        private final AtomicInteger calls;
        private final int stallAt;

        StallingExchange(AtomicInteger calls, int stallAt) {
            this.calls = calls;
            this.stallAt = stallAt;
        }

        @Override
        public boolean send(byte[] body) throws InterruptedException {
            if (calls.incrementAndGet() == stallAt) {
                Thread.sleep(STALL_MILLIS);
            }
            return true;
        }

        @Override
        public void close() {
        }
    }

    private static Window drive(double rate) throws InterruptedException {
        LoadSettings settings = new LoadSettings(URI.create("http://127.0.0.1:1"), "m", 4, 1, rate, 0, 2500, 10, 3,
                5000);
        RequestBodies bodies = RequestBodies.build(ARCHITECTURE, WorkloadMode.SAME, 4, 1, 1 << 20, 0);
        AtomicInteger calls = new AtomicInteger();
        try (LoadDriver driver = LoadDriver.start(settings, bodies, () -> new StallingExchange(calls, 20), 10_000)) {
            Thread.sleep(settings.windowMillis());
            return driver.window();
        }
    }

    @Test
    void shouldChargeAStallToEveryRequestThatWasDueDuringIt() throws InterruptedException {
        Window window = drive(200);
        assertThat(window.requests()).isGreaterThan(100);
        assertThat(window.latenciesMicros().getValueAtPercentile(75))
                .as("requests due during the stall count from their due time").isGreaterThan(LONG_MICROS);
        assertThat(window.latenciesMicros().getMaxValue()).isGreaterThanOrEqualTo(STALL_MILLIS * 900);
    }

    @Test
    void shouldChargeAStallToOneRequestInTheClosedLoop() throws InterruptedException {
        Window window = drive(0);
        assertThat(window.requests()).isGreaterThan(100);
        assertThat(window.latenciesMicros().getValueAtPercentile(75)).isLessThan(LONG_MICROS);
        assertThat(window.latenciesMicros().getMaxValue()).isGreaterThanOrEqualTo(STALL_MILLIS * 900);
        assertThat(window.errors()).isZero();
    }
}
