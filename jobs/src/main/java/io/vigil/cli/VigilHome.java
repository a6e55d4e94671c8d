package io.vigil.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the Vigil checkout is: the system property {@code vigil.home} or {@code $VIGIL_ROOT} (both set by
 * {@code bin/vigil}), else the working directory.
 */
public final class VigilHome {
    private VigilHome() {}

    public static Path root() {
        String env = System.getProperty("vigil.home", System.getenv("VIGIL_ROOT"));
        return env != null && !env.isEmpty() ? Path.of(env) : Path.of("").toAbsolutePath();
    }

    /** The cluster configuration shipped in {@code flink-conf/} (its {@code config.yaml}). */
    public static Path flinkConf() {
        return root().resolve("flink-conf");
    }

    /** The starter rules shipped in {@code rules/}. */
    public static Path rules() {
        Path p = root().resolve("rules");
        return Files.isDirectory(p) ? p : Path.of("rules");
    }
}
