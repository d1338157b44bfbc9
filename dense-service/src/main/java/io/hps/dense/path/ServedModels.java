package io.hps.dense.path;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model instances a process serves: declared up front by name, each published once its path
 * is loaded and warmed up. Requests for a declared instance not yet published are "not ready",
 * for an undeclared one "unknown model". Thread-safe.
 */
public final class ServedModels implements AutoCloseable {
    private final List<String> declared;
    private final Map<String, ScoringPath> paths = new ConcurrentHashMap<>();

    public ServedModels(List<String> declared) {
        if (declared.stream().distinct().count() != declared.size()) {
            throw new IllegalArgumentException("instance names must be unique: names=" + declared);
        }
        this.declared = List.copyOf(declared);
    }

    /** Makes {@code path} available to requests. */
    public void publish(ScoringPath path) {
        if (!declared.contains(path.name())) {
            throw new IllegalArgumentException("instance not declared: name=" + path.name() + " declared=" + declared);
        }
        if (paths.putIfAbsent(path.name(), path) != null) {
            throw new IllegalStateException("instance already published: name=" + path.name());
        }
    }

    /** The published path of {@code name}. */
    public Optional<ScoringPath> path(String name) {
        return Optional.ofNullable(paths.get(name));
    }

    public boolean declares(String name) {
        return declared.contains(name);
    }

    public List<String> names() {
        return declared;
    }

    /** Whether every declared instance is published. */
    public boolean ready() {
        return paths.size() == declared.size();
    }

    /** Closes every published path; call after the transport stopped. */
    @Override
    public void close() {
        paths.values().forEach(ScoringPath::close);
        paths.clear();
    }
}
