package io.hps.gateway;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The gateway's settings, bound from {@code hps.gateway.*}.
 *
 * @param repository      the model repository directory (one folder with a config.json per model)
 * @param maxBodyBytes    largest inference request body; a larger one is answered 413
 * @param maxJsonDepth    deepest JSON nesting accepted in a request; deeper is answered 400
 * @param keepAliveMillis RSocket keep-alive interval towards the backends
 */
@ConfigurationProperties("hps.gateway")
public record GatewayProperties(Path repository, int maxBodyBytes, int maxJsonDepth, long keepAliveMillis) {
    public GatewayProperties {
        if (repository == null) {
            throw new IllegalArgumentException("hps.gateway.repository must be set");
        }
        maxBodyBytes = maxBodyBytes == 0 ? 64 << 20 : maxBodyBytes;
        maxJsonDepth = maxJsonDepth == 0 ? 32 : maxJsonDepth;
        keepAliveMillis = keepAliveMillis == 0 ? 20_000 : keepAliveMillis;
        if (maxBodyBytes < 1 || maxJsonDepth < 2 || keepAliveMillis < 1) {
            throw new IllegalArgumentException("gateway limits out of range: maxBodyBytes=" + maxBodyBytes
                    + " maxJsonDepth=" + maxJsonDepth + " keepAliveMillis=" + keepAliveMillis);
        }
    }
}
