package io.hps.model.dense;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The parsed and validated JSON header of a safetensors file: tensors in header order and the
 * optional {@code __metadata__} string map.
 */
record SafetensorsHeader(Map<String, TensorInfo> tensors, Map<String, String> metadata) {

    static final String METADATA_KEY = "__metadata__";
    static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

    SafetensorsHeader {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Parses {@code json} and checks every entry against a data section of {@code dataBytes} bytes.
     *
     * @throws SafetensorsFormatException on any violation, naming {@code file}
     */
    static SafetensorsHeader parse(byte[] json, long dataBytes, Path file) throws SafetensorsFormatException {
        JsonNode root = readTree(json, file);
        if (!root.isObject()) {
            throw new SafetensorsFormatException("safetensors header is not a JSON object: file=" + file);
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals(METADATA_KEY)) {
                metadata = metadata(e.getValue(), file);
            } else {
                tensors.put(e.getKey(), tensor(e.getKey(), e.getValue(), dataBytes, file));
            }
        }
        checkNoOverlap(tensors, file);
        return new SafetensorsHeader(tensors, metadata);
    }

    private static JsonNode readTree(byte[] json, Path file) throws SafetensorsFormatException {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || root.isMissingNode()) {
                throw new SafetensorsFormatException("safetensors header is empty: file=" + file);
            }
            return root;
        } catch (JacksonException e) {
            throw new SafetensorsFormatException("safetensors header is not valid JSON: file=" + file
                    + " error=" + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, String> metadata(JsonNode node, Path file) throws SafetensorsFormatException {
        if (!node.isObject()) {
            throw new SafetensorsFormatException("safetensors __metadata__ is not an object: file=" + file);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isString()) {
                throw new SafetensorsFormatException("safetensors __metadata__ value is not a string: file=" + file
                        + " key=" + e.getKey());
            }
            metadata.put(e.getKey(), e.getValue().stringValue());
        }
        return metadata;
    }

    private static TensorInfo tensor(String name, JsonNode node, long dataBytes, Path file)
            throws SafetensorsFormatException {
        String where = "file=" + file + " tensor=" + name;
        if (!node.isObject() || !ENTRY_FIELDS.containsAll(node.propertyNames()) || node.size() != ENTRY_FIELDS.size()) {
            throw new SafetensorsFormatException("safetensors tensor entry must have exactly dtype, shape, data_offsets: "
                    + where);
        }
        Dtype dtype = dtype(node.get("dtype"), where);
        List<Long> shape = longs(node.get("shape"), -1, "shape", where);
        List<Long> offsets = longs(node.get("data_offsets"), 2, "data_offsets", where);
        long begin = offsets.get(0);
        long end = offsets.get(1);
        if (begin > end || end > dataBytes) {
            throw new SafetensorsFormatException("safetensors data_offsets outside the data section: " + where
                    + " begin=" + begin + " end=" + end + " dataBytes=" + dataBytes);
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        checkSize(info, where);
        return info;
    }

    private static Dtype dtype(JsonNode node, String where) throws SafetensorsFormatException {
        Optional<Dtype> dtype = node.isString() ? Dtype.fromHeaderName(node.stringValue()) : Optional.empty();
        return dtype.orElseThrow(() -> new SafetensorsFormatException("safetensors dtype unknown: " + where
                + " dtype=" + node));
    }

    private static void checkSize(TensorInfo info, String where) throws SafetensorsFormatException {
        long expected;
        try {
            expected = Math.multiplyExact(info.elementCount(), info.dtype().bytes());
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException("safetensors shape overflows: " + where + " shape=" + info.shape(), e);
        }
        if (expected != info.byteSize()) {
            throw new SafetensorsFormatException("safetensors shape x dtype size does not match data_offsets: " + where
                    + " dtype=" + info.dtype() + " shape=" + info.shape() + " bytes=" + info.byteSize()
                    + " expected=" + expected);
        }
    }

    private static List<Long> longs(JsonNode node, int length, String field, String where)
            throws SafetensorsFormatException {
        if (!node.isArray() || (length >= 0 && node.size() != length)) {
            throw new SafetensorsFormatException("safetensors " + field + " must be an array"
                    + (length >= 0 ? " of " + length : "") + ": " + where);
        }
        List<Long> values = new ArrayList<>(node.size());
        for (JsonNode v : node.values()) {
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new SafetensorsFormatException("safetensors " + field + " must hold non-negative integers: "
                        + where + " value=" + v);
            }
            values.add(v.longValue());
        }
        return values;
    }

    private static void checkNoOverlap(Map<String, TensorInfo> tensors, Path file) throws SafetensorsFormatException {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo previous = sorted.get(i - 1);
            TensorInfo current = sorted.get(i);
            if (current.begin() < previous.end()) {
                throw new SafetensorsFormatException("safetensors tensors overlap: file=" + file + " tensor="
                        + previous.name() + " end=" + previous.end() + " tensor=" + current.name()
                        + " begin=" + current.begin());
            }
        }
    }
}
