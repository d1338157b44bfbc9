package io.hps.deploy;

import io.hps.dense.service.DenseServiceProperties;
import io.hps.gateway.GatewayProperties;
import io.hps.service.HpsServiceProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * A service as its container runs it: the module's own {@code application.yml} (read from the module's sources, not
 * the classpath) under the container's environment, bound to the module's {@code @ConfigurationProperties} record the
 * way Spring Boot binds it (relaxed names: {@code DENSE_MODELS_0_MODELDIR} is {@code dense.models[0].model-dir};
 * placeholders of the yml resolved against the environment).
 */
enum ServiceModule {
    HPS_SERVICE("hps-service", "hps", HpsServiceProperties.class),
    DENSE_SERVICE("dense-service", "dense", DenseServiceProperties.class),
    GATEWAY("gateway", "hps.gateway", GatewayProperties.class);

    /** Read by the JVM ({@code JAVA_TOOL_OPTIONS}) or the NVIDIA container runtime, not by the service. */
    static final Set<String> RUNTIME_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "NVIDIA_DRIVER_CAPABILITIES",
            "NVIDIA_VISIBLE_DEVICES");
    private static final String IMAGE_PREFIX = "hps/";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)");

    private final String module;
    private final String prefix;
    private final Class<?> properties;

    ServiceModule(String module, String prefix, Class<?> properties) {
        this.module = module;
        this.prefix = prefix;
        this.properties = properties;
    }

    /** The module an image {@code hps/<module>[:tag]} runs; empty for an image of no module. */
    static Optional<ServiceModule> ofImage(String image) {
        if (image == null || !image.startsWith(IMAGE_PREFIX)) {
            return Optional.empty();
        }
        String name = image.substring(IMAGE_PREFIX.length()).split("[:@]", 2)[0];
        return Arrays.stream(values()).filter(m -> m.module.equals(name)).findFirst();
    }

    String module() {
        return module;
    }

    Path applicationYml() {
        return ProjectFiles.root().resolve(module).resolve("src/main/resources/application.yml");
    }

    /** Environment variables the module's application.yml reads through {@code ${NAME...}}. */
    Set<String> placeholders() {
        Set<String> names = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(read(applicationYml()));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /**
     * The properties record bound from application.yml and {@code env}, or a {@link Failure} with the messages of
     * the exception binding threw (so that two results compare by value either way).
     */
    Object bind(Map<String, String> env) {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addLast(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new LinkedHashMap<>(env)));
        yml().forEach(sources::addLast);
        Binder binder = new Binder(ConfigurationPropertySources.from(sources),
                new PropertySourcesPlaceholdersResolver(sources));
        try {
            return binder.bindOrCreate(prefix, Bindable.of(properties));
        } catch (RuntimeException e) {
            return new Failure(messages(e));
        }
    }

    /** The bound properties; an assertion error naming {@code where} when binding fails. */
    <T> T settings(String where, Map<String, String> env, Class<T> type) {
        if (!type.equals(properties)) {
            throw new IllegalArgumentException(this + " binds " + properties.getName() + ", not " + type.getName());
        }
        Object bound = bind(env);
        if (bound instanceof Failure(String message)) {
            throw new AssertionError(where + ": " + module + " does not start with this environment: " + message);
        }
        return type.cast(bound);
    }

    /**
     * The variables of {@code env} the service never reads: not a placeholder of its application.yml, not read by
     * the runtime, and binding the properties without the variable gives the same result as with it.
     */
    List<String> unconsumed(Map<String, String> env) {
        Set<String> placeholders = placeholders();
        Object all = bind(env);
        List<String> unread = new ArrayList<>();
        for (String name : env.keySet()) {
            if (RUNTIME_VARIABLES.contains(name) || placeholders.contains(name)) {
                continue;
            }
            Map<String, String> without = new LinkedHashMap<>(env);
            without.remove(name);
            if (bind(without).equals(all)) {
                unread.add(name);
            }
        }
        return unread;
    }

    private List<PropertySource<?>> yml() {
        try {
            return new YamlPropertySourceLoader().load(module + " application.yml",
                    new FileSystemResource(applicationYml()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + applicationYml(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String messages(Throwable e) {
        StringJoiner joiner = new StringJoiner(": ");
        for (Throwable t = e; t != null; t = t.getCause()) {
            joiner.add(String.valueOf(t.getMessage()));
        }
        return joiner.toString();
    }

    /** Binding failed with these messages (the exception and its causes). */
    record Failure(String message) {
    }
}
