package io.hps.gateway.repository;

import io.hps.model.TableSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * One model as the gateway serves it: a repository folder's {@code config.json} joined with the
 * shapes of the {@code model.json} it points at. Immutable.
 *
 * @param name                 the public name, equal to its folder's name
 * @param version              the one version served, reported as is
 * @param kind                 inputs and outputs
 * @param path                 the deployment path label, for reporting
 * @param backend              where requests go
 * @param modelJson            the model.json the shapes come from
 * @param denseFeatures        FP32 features per sample ({@code dense} width)
 * @param tables               embedding tables in input order (rows bound the keys, dims the outputs)
 * @param maxBatchSize         samples per request (dlrm) or keys per request (embedding), and per
 *                             merged batch
 * @param batching             dynamic batching and admission
 * @param keyPolicy            what a key outside its table does
 * @param defaultTimeoutMicros deadline of a request without {@code parameters.timeout}; 0 means
 *                             the backend timeout alone
 */
public record ServedModel(String name, String version, ModelKind kind, ServingPath path, Backend backend,
                          Path modelJson, int denseFeatures, List<TableSpec> tables, int maxBatchSize,
                          DynamicBatching batching, KeyPolicy keyPolicy, long defaultTimeoutMicros) {
    public ServedModel {
        tables = List.copyOf(tables);
        RepositoryException.require(name != null && name.matches("[A-Za-z0-9_.-]{1,255}"), "name",
                "must be 1..255 of [A-Za-z0-9_.-]", name);
        RepositoryException.require(!tables.isEmpty(), "tables", "must not be empty", tables);
        RepositoryException.require(maxBatchSize >= 1, "max_batch_size", "must be >= 1", maxBatchSize);
        RepositoryException.require(defaultTimeoutMicros >= 0, "default_timeout_us", "must be >= 0",
                defaultTimeoutMicros);
        RepositoryException.require(kind != ModelKind.DLRM || backend.service() == BackendService.DENSE_SERVICE,
                "backend.service", "must be dense-service for a dlrm model", backend.service().label());
        RepositoryException.require(kind != ModelKind.EMBEDDING || backend.service() == BackendService.HPS_SERVICE,
                "backend.service", "must be hps-service for an embedding model", backend.service().label());
    }

    public int tableCount() {
        return tables.size();
    }
}
