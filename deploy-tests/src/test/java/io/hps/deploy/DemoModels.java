package io.hps.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.model.gen.SyntheticModelGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;

/**
 * The demo models a deployment generates before the services start (an init container or a one-shot Compose service
 * running {@link SyntheticModelGenerator}), generated here with the same arguments, once per argument list, under a
 * test's temporary directory.
 */
final class DemoModels {
    private static final String GENERATOR = SyntheticModelGenerator.class.getName();
    private static final String OUT = "--out";

    private final Path root;
    private final Map<List<String>, Path> generated = new HashMap<>();

    DemoModels(Path root) {
        this.root = root;
    }

    /**
     * The generator's arguments when {@code command} (a container's command and arguments, for example
     * {@code sh -c "... || exec java -cp ... SyntheticModelGenerator --out /models/dlrm --scale 0.001"}) runs it.
     */
    static Optional<List<String>> generatorArguments(List<String> command) {
        String line = String.join(" ", command);
        int at = line.indexOf(GENERATOR);
        if (at < 0) {
            return Optional.empty();
        }
        String rest = line.substring(at + GENERATOR.length()).split("[;&|\\n]", 2)[0].trim();
        List<String> args = rest.isEmpty() ? List.of()
                : Arrays.stream(rest.split("\\s+")).map(a -> a.replaceAll("^['\"]|['\"]$", "")).toList();
        return Optional.of(args);
    }

    /** The directory the generator writes ({@code --out}). */
    static Path outputDirectory(List<String> args) {
        int at = args.indexOf(OUT);
        assertThat(at).as("generator arguments " + args + " name " + OUT).isNotNegative().isLessThan(args.size() - 1);
        return Path.of(args.get(at + 1));
    }

    /** A directory holding the model {@code args} generate, ignoring where they write it. */
    synchronized Path model(List<String> args) {
        outputDirectory(args);
        List<String> key = new ArrayList<>(args);
        int at = key.indexOf(OUT);
        key.remove(at + 1);
        key.remove(at);
        Path dir = generated.get(key);
        if (dir == null) {
            dir = root.resolve("model-" + generated.size());
            List<String> run = new ArrayList<>(key);
            run.addAll(List.of(OUT, dir.toString()));
            int exit = new CommandLine(new SyntheticModelGenerator()).execute(run.toArray(String[]::new));
            assertThat(exit).as("SyntheticModelGenerator " + run).isZero();
            generated.put(key, dir);
        }
        return dir;
    }

    /** Generates into {@code volume} what a container mounting it at {@code mountPath} generates with {@code args}. */
    void populate(Path volume, Path mountPath, List<String> args) {
        Path out = outputDirectory(args);
        if (!out.startsWith(mountPath)) {
            return;
        }
        Path target = volume.resolve(mountPath.relativize(out).toString());
        try {
            if (target.equals(volume)) {
                ContainerFiles.copy(model(args), volume);
            } else {
                Files.createDirectories(target.getParent());
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, model(args));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot link the demo model into " + target, e);
        }
    }
}
