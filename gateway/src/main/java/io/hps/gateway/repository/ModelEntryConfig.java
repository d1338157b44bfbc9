package io.hps.gateway.repository;

import io.hps.model.TableSpec;
import io.hps.model.config.ModelConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One {@code config.json}, read strictly: unknown fields are errors, so that typos do not pass silently. */
record ModelEntryConfig(String name, String version, ModelKind kind, ServingPath path, Backend backend,
                        Path modelJson, int maxBatchSize, DynamicBatching batching, KeyPolicy keyPolicy,
                        long defaultTimeoutMicros) {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final Set<String> TOP_FIELDS = Set.of("name", "version", "kind", "path", "backend", "model_json",
            "max_batch_size", "dynamic_batching", "key_policy", "default_timeout_us");
    private static final Set<String> BACKEND_FIELDS = Set.of("service", "addresses", "model", "timeout_us");
    private static final Set<String> BATCHING_FIELDS = Set.of("max_queue_delay_us", "preferred_batch_sizes",
            "max_queue_size", "max_inflight_batches");
    private static final int DENSE_SERVICE_PORT = 9200;
    private static final int HPS_SERVICE_PORT = 9100;

    static ModelEntryConfig parse(String json, Path folder) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new RepositoryException("config.json is not JSON: error=" + e.getOriginalMessage(), e);
        }
        RepositoryException.require(root != null && root.isObject(), "config.json", "must be an object", root);
        checkFields(root, TOP_FIELDS, "");
        String folderName = folder.getFileName().toString();
        String name = text(root, "name", folderName);
        RepositoryException.require(name.equals(folderName), "name", "must equal the folder name " + folderName, name);
        BackendService service = BackendService.ofLabel(required(root, "backend").path("service").asString(""));
        return new ModelEntryConfig(name, text(root, "version", "1"), ModelKind.ofLabel(text(root, "kind", "")),
                ServingPath.ofLabel(text(root, "path", "ensemble")), backend(root.get("backend"), service),
                folder.resolve(text(root, "model_json", "")).normalize(),
                (int) number(root, "max_batch_size", 0, Integer.MAX_VALUE, 0),
                batching(root.get("dynamic_batching")), KeyPolicy.ofLabel(text(root, "key_policy", "reject")),
                number(root, "default_timeout_us", 0, Long.MAX_VALUE, 0));
    }

    /** Joins this entry with the shapes of its model.json; {@code max_batch_size} 0 takes model.json's. */
    ServedModel toModel(ModelConfig shapes) {
        List<TableSpec> tables = shapes.tables().stream().map(ModelConfig.Table::spec).toList();
        int maxBatch = maxBatchSize == 0 ? shapes.maxBatchSize() : maxBatchSize;
        return new ServedModel(name, version, kind, path, backend, modelJson, shapes.denseFeatures(), tables,
                maxBatch, batching, keyPolicy, defaultTimeoutMicros);
    }

    private static Backend backend(JsonNode node, BackendService service) {
        checkFields(node, BACKEND_FIELDS, "backend.");
        JsonNode addresses = required(node, "addresses");
        RepositoryException.require(addresses.isArray(), "backend.addresses", "must be an array", addresses);
        List<InetSocketAddress> parsed = new ArrayList<>();
        int defaultPort = service == BackendService.DENSE_SERVICE ? DENSE_SERVICE_PORT : HPS_SERVICE_PORT;
        for (JsonNode address : addresses.values()) {
            parsed.add(address(address.asString(""), defaultPort));
        }
        return new Backend(service, parsed, text(node, "model", ""),
                number(node, "timeout_us", 1, Long.MAX_VALUE, 10_000_000L));
    }

    private static DynamicBatching batching(JsonNode node) {
        if (node == null) {
            return DynamicBatching.DEFAULTS;
        }
        checkFields(node, BATCHING_FIELDS, "dynamic_batching.");
        List<Integer> preferred = new ArrayList<>();
        JsonNode sizes = node.path("preferred_batch_sizes");
        for (JsonNode size : sizes.values()) {
            RepositoryException.require(size.isIntegralNumber(), "dynamic_batching.preferred_batch_sizes",
                    "must hold integers", sizes);
            preferred.add(size.intValue());
        }
        DynamicBatching d = DynamicBatching.DEFAULTS;
        return new DynamicBatching(number(node, "max_queue_delay_us", 0, Long.MAX_VALUE, d.maxQueueDelayMicros()),
                preferred.stream().sorted().toList(),
                (int) number(node, "max_queue_size", 1, Integer.MAX_VALUE, d.maxQueueSize()),
                (int) number(node, "max_inflight_batches", 1, Integer.MAX_VALUE, d.maxInflightBatches()));
    }

    static InetSocketAddress address(String text, int defaultPort) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? text : text.substring(0, colon);
        RepositoryException.require(!host.isBlank(), "backend.addresses", "must be host or host:port", text);
        if (colon < 0) {
            return InetSocketAddress.createUnresolved(host, defaultPort);
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            RepositoryException.require(port >= 1 && port <= 65535, "backend.addresses", "port must be 1..65535", text);
            return InetSocketAddress.createUnresolved(host, port);
        } catch (NumberFormatException e) {
            throw new RepositoryException("backend.addresses port is not a number: backend.addresses=" + text, e);
        }
    }

    private static void checkFields(JsonNode node, Set<String> known, String prefix) {
        RepositoryException.require(node.isObject(), prefix.isEmpty() ? "config.json" : prefix, "must be an object",
                node);
        for (String field : node.propertyNames()) {
            RepositoryException.require(known.contains(field), prefix + field, "is not a known field", field);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        RepositoryException.require(value != null, field, "is required", null);
        return value;
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        if (value == null) {
            RepositoryException.require(!fallback.isEmpty(), field, "is required", null);
            return fallback;
        }
        RepositoryException.require(value.isString() && !value.stringValue().isBlank(), field,
                "must be a non-blank string", value);
        return value.stringValue();
    }

    private static long number(JsonNode node, String field, long min, long max, long fallback) {
        JsonNode value = node.get(field);
        if (value == null) {
            return fallback;
        }
        RepositoryException.require(value.isIntegralNumber() && value.canConvertToLong(), field,
                "must be an integer", value);
        long number = value.longValue();
        RepositoryException.require(number >= min && number <= max, field, "must be in [" + min + ", " + max + "]",
                number);
        return number;
    }
}
