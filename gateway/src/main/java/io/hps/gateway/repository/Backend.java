package io.hps.gateway.repository;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Where a model is served.
 *
 * @param service       which service speaks for it
 * @param addresses     RSocket TCP addresses of its replicas, balanced round-robin
 * @param model         the model name the backend knows it by (1..255 UTF-8 bytes)
 * @param timeoutMicros longest wait for one backend answer, microseconds, at least 1
 */
public record Backend(BackendService service, List<InetSocketAddress> addresses, String model, long timeoutMicros) {
    public Backend {
        addresses = List.copyOf(addresses);
        RepositoryException.require(!addresses.isEmpty(), "backend.addresses", "must name at least one address",
                addresses);
        RepositoryException.require(model != null && !model.isBlank(), "backend.model", "must not be blank", model);
        RepositoryException.require(timeoutMicros >= 1, "backend.timeout_us", "must be >= 1", timeoutMicros);
    }
}
