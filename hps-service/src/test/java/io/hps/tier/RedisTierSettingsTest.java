package io.hps.tier;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisTierSettingsTest {

    @Test
    void shouldSplitAHugeCtrAddressIntoNodes() {
        RedisTierSettings settings = RedisTierSettings.forInference("10.0.0.1:7000,10.0.0.2:7001", true, 8);
        assertThat(settings.nodes()).containsExactly("10.0.0.1:7000", "10.0.0.2:7001");
        assertThat(settings.bounded()).isFalse();
    }

    @Test
    void shouldNeverPrintThePassword() {
        RedisTierSettings settings = new RedisTierSettings(List.of("h:1"), false, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1,
                "user", "s3cret", 100, 0.8);
        assertThat(settings.toString()).contains("password=***", "userName=user").doesNotContain("s3cret");
    }

    @Test
    void shouldComputeTheResolutionTargetLikeHugeCtr() {
        RedisTierSettings settings = RedisTierSettings.forInference("h:1", false, 1).withOverflow(1000, 0.8);
        assertThat(settings.overflowResolutionEntries()).isEqualTo(800);
        assertThat(settings.withOverflow(10, 1.0).overflowResolutionEntries()).isEqualTo(9);
    }

    @Test
    void shouldRejectNodesThatAreNotHostAndPort() {
        assertThatThrownBy(() -> RedisTierSettings.forInference("localhost", false, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nodes=[localhost]");
    }
}
