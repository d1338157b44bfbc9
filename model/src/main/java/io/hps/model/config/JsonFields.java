package io.hps.model.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Explicit, typed reads of one JSON object of a configuration file. Every read records the field
 * as consumed; {@link #finish()} reports the fields nobody read as {@link ConfigIssue.Kind#UNKNOWN_FIELD}.
 * Type errors are {@link ConfigException}s that carry the full JSON path. Not thread-safe: one
 * instance belongs to one parse.
 */
final class JsonFields {

    /** Accepts {@code //} comments (HugeCTR's documented samples carry them); rejects duplicate keys. */
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final JsonNode node;
    private final String path;
    private final String source;
    private final List<ConfigIssue> issues;
    private final Set<String> consumed = new HashSet<>();

    private JsonFields(JsonNode node, String path, String source, List<ConfigIssue> issues) {
        this.node = node;
        this.path = path;
        this.source = source;
        this.issues = issues;
    }

    /** Reads {@code file} as a JSON object; {@code source} names it in messages. */
    static JsonNode parse(Path file, String source) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw ConfigException.ofFile(source, "cannot be read: file=" + file + " error=" + e, e);
        }
        return parse(text, source);
    }

    static JsonNode parse(String text, String source) {
        try {
            return MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw ConfigException.ofFile(source, "is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The top-level object of a file; issues found are appended to {@code issues}. */
    static JsonFields root(JsonNode node, String source, List<ConfigIssue> issues) {
        if (node == null || !node.isObject()) {
            throw ConfigException.ofFile(source, "must hold a JSON object: found=" + describe(node), null);
        }
        return new JsonFields(node, "", source, issues);
    }

    static String join(String parent, String child) {
        if (parent.isEmpty()) {
            return child;
        }
        if (child.isEmpty()) {
            return parent;
        }
        return child.startsWith("[") ? parent + child : parent + "." + child;
    }

    String path() {
        return path;
    }

    boolean has(String name) {
        return node.has(name);
    }

    String string(String name, String fallback) {
        return optional(name).map(v -> requireType(name, v, v.isString(), "a string").stringValue()).orElse(fallback);
    }

    String requiredString(String name) {
        JsonNode v = required(name);
        return requireType(name, v, v.isString(), "a string").stringValue();
    }

    boolean bool(String name, boolean fallback) {
        return optional(name).map(v -> requireType(name, v, v.isBoolean(), "a boolean").booleanValue()).orElse(fallback);
    }

    int integer(String name, int fallback) {
        return optional(name).map(v -> toInt(name, v)).orElse(fallback);
    }

    int requiredInteger(String name) {
        return toInt(name, required(name));
    }

    long longInteger(String name, long fallback) {
        return optional(name).map(v -> toLong(name, v)).orElse(fallback);
    }

    long requiredLong(String name) {
        return toLong(name, required(name));
    }

    /**
     * An unsigned 64-bit count, as HugeCTR's {@code size_t} fields: values above {@link Long#MAX_VALUE}
     * (such as {@code 18446744073709551615}, "no limit") read as {@code Long.MAX_VALUE}.
     */
    long size(String name, long fallback) {
        return optional(name).map(v -> toSize(name, v)).orElse(fallback);
    }

    double number(String name, double fallback) {
        return optional(name).map(v -> requireType(name, v, v.isNumber(), "a number").doubleValue()).orElse(fallback);
    }

    /** A string naming one of {@code choices} (keys are the accepted spellings). */
    <E> E choice(String name, E fallback, Map<String, E> choices) {
        Optional<JsonNode> v = optional(name);
        if (v.isEmpty()) {
            return fallback;
        }
        String text = requireType(name, v.get(), v.get().isString(), "a string").stringValue();
        E value = choices.get(text);
        if (value == null) {
            throw ConfigException.at(join(path, name), "must be one of " + new TreeSet<>(choices.keySet())
                    + ": " + name + "=" + text);
        }
        return value;
    }

    Optional<JsonFields> object(String name) {
        return optional(name).map(v -> {
            requireType(name, v, v.isObject(), "an object");
            return new JsonFields(v, join(path, name), source, issues);
        });
    }

    /** A required, non-empty array of objects. */
    List<JsonFields> objects(String name) {
        List<JsonNode> items = array(name, required(name));
        List<JsonFields> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String itemPath = join(path, name + "[" + i + "]");
            JsonNode item = items.get(i);
            if (!item.isObject()) {
                throw ConfigException.at(itemPath, "must be an object: found=" + describe(item));
            }
            out.add(new JsonFields(item, itemPath, source, issues));
        }
        return out;
    }

    List<String> strings(String name, List<String> fallback) {
        return list(name, fallback, (p, v) -> requireType(p, v, v.isString(), "a string").stringValue());
    }

    List<String> requiredStrings(String name) {
        return list(name, null, (p, v) -> requireType(p, v, v.isString(), "a string").stringValue());
    }

    List<Integer> requiredIntegers(String name) {
        return list(name, null, this::toInt);
    }

    List<Long> requiredLongs(String name) {
        return list(name, null, this::toLong);
    }

    List<Double> requiredNumbers(String name) {
        return list(name, null, (p, v) -> requireType(p, v, v.isNumber(), "a number").doubleValue());
    }

    /** Records a recognised setting that has no effect here. */
    void unsupported(String name, String message) {
        issues.add(new ConfigIssue(source, join(path, name), ConfigIssue.Kind.UNSUPPORTED, message));
    }

    /** Records a value that was completed or corrected. */
    void adjusted(String name, String message) {
        issues.add(new ConfigIssue(source, join(path, name), ConfigIssue.Kind.ADJUSTED, message));
    }

    /** Reports every field of this object that was not read. */
    void finish() {
        for (String name : node.propertyNames()) {
            if (!consumed.contains(name)) {
                issues.add(new ConfigIssue(source, join(path, name), ConfigIssue.Kind.UNKNOWN_FIELD,
                        "unknown field, ignored"));
            }
        }
    }

    /** Runs a record constructor, attributing its {@link ConfigException} to this object's path. */
    <T> T build(Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (ConfigException e) {
            throw e.under(path);
        }
    }

    private interface ElementReader<T> {
        T read(String elementPath, JsonNode value);
    }

    private <T> List<T> list(String name, List<T> fallback, ElementReader<T> reader) {
        Optional<JsonNode> v = optional(name);
        if (v.isEmpty()) {
            if (fallback == null) {
                throw ConfigException.at(join(path, name), "is required");
            }
            return fallback;
        }
        List<JsonNode> items = array(name, v.get());
        List<T> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(reader.read(name + "[" + i + "]", items.get(i)));
        }
        return List.copyOf(out);
    }

    private List<JsonNode> array(String name, JsonNode v) {
        requireType(name, v, v.isArray(), "an array");
        return List.copyOf(v.values());
    }

    private Optional<JsonNode> optional(String name) {
        consumed.add(name);
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }

    private JsonNode required(String name) {
        return optional(name).orElseThrow(() -> ConfigException.at(join(path, name), "is required"));
    }

    private JsonNode requireType(String name, JsonNode v, boolean ok, String what) {
        if (!ok) {
            throw ConfigException.at(join(path, name), "must be " + what + ": " + leaf(name) + "=" + describe(v));
        }
        return v;
    }

    private int toInt(String name, JsonNode v) {
        long value = toLong(name, v);
        if (value != (int) value) {
            throw ConfigException.at(join(path, name), "must fit in 32 bits: " + leaf(name) + "=" + value);
        }
        return (int) value;
    }

    private long toLong(String name, JsonNode v) {
        boolean whole = v.isIntegralNumber() ? v.canConvertToLong()
                : v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 0x1p63;
        requireType(name, v, whole, "an integer");
        return v.isIntegralNumber() ? v.longValue() : (long) v.doubleValue();
    }

    private long toSize(String name, JsonNode v) {
        if (v.isIntegralNumber() && !v.canConvertToLong() && v.bigIntegerValue().signum() > 0) {
            return Long.MAX_VALUE;
        }
        long value = toLong(name, v);
        if (value < 0) {
            throw ConfigException.at(join(path, name), "must be >= 0: " + leaf(name) + "=" + value);
        }
        return value;
    }

    private static String leaf(String name) {
        int bracket = name.indexOf('[');
        return bracket < 0 ? name : name.substring(0, bracket);
    }

    static String describe(JsonNode v) {
        return v == null ? "nothing" : v.toString();
    }

    static <E extends Enum<E>> Map<String, E> names(Class<E> type, Function<E, List<String>> spellings) {
        Map<String, E> out = new HashMap<>();
        for (E e : type.getEnumConstants()) {
            for (String s : spellings.apply(e)) {
                out.put(s, e);
            }
        }
        return Map.copyOf(out);
    }
}
