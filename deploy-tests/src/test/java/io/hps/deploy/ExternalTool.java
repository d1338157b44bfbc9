package io.hps.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A command-line program a check needs ({@code kubectl}, {@code promtool}), found on {@code PATH}.
 * Where it is missing the check is skipped with the reason on a developer machine and fails on CI
 * (environment {@code CI} set to {@code true}), so CI never passes without running it.
 */
record ExternalTool(String name, Path executable) {
    private static final long TIMEOUT_SECONDS = 120;

    /** The tool, or an aborted (developer machine) or failed (CI) test naming how to install it. */
    static ExternalTool require(String name, String installHint) {
        Optional<Path> found = find(name);
        if (found.isPresent()) {
            return new ExternalTool(name, found.get());
        }
        String message = name + " not found on PATH; install it (" + installHint + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + ": CI=true, so this check may not be skipped");
        }
        Assumptions.abort(message + ": check skipped");
        throw new AssertionError("unreachable");
    }

    static Optional<Path> find(String name) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.of(path.split(java.io.File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** Runs the tool in {@code directory}; stdout and stderr merged, the process waited for. */
    Result run(Path directory, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("tool timed out: command=" + command);
            }
            return new Result(command, process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    /** What a run printed and how it ended. */
    record Result(List<String> command, int exitCode, String output) {
        Result succeeded() {
            if (exitCode != 0) {
                throw new AssertionError("command failed: exit=" + exitCode + " command=" + command + "\n" + output);
            }
            return this;
        }
    }
}
