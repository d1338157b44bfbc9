package io.hps.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository's deployment files, resolved from the module directory Maven runs tests in. */
final class ProjectFiles {
    private ProjectFiles() {
    }

    /** The repository root: the first directory upwards from the working directory holding {@code k8s/}. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isDirectory(dir.resolve("k8s")) && Files.isDirectory(dir.resolve("deploy")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static Path k8s() {
        return root().resolve("k8s");
    }

    static Path prometheus() {
        return root().resolve("deploy/prometheus");
    }

    static Path grafana() {
        return root().resolve("deploy/grafana");
    }
}
