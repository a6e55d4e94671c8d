package io.vigil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.cli.VigilCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The notebooks execute headless on what Vigil writes: the alert-triage notebook on a demo run's output, the anomaly
 * evaluation notebook on the NAB benchmark's result files (both produced here, through the same commands a user
 * runs). Needs python3 with nbconvert, pandas and matplotlib (`.ci/run` installs them); fails when they are missing.
 */
class NotebooksIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path OUT = Path.of("target", "notebooks").toAbsolutePath();

    @Test
    void alertTriageRunsOnDemoOutput() throws Exception {
        Path demo = OUT.resolve("demo");
        assertEquals(
                0,
                VigilCli.commandLine()
                        .execute(
                                "demo",
                                "--quiet",
                                "--rules",
                                ROOT.resolve("rules").toString(),
                                "--out",
                                demo.toString()));
        assertTrue(Files.size(demo.resolve("alerts.jsonl")) > 0, "the demo wrote alerts");
        execute("alert-triage.ipynb", "VIGIL_OUT", demo);
    }

    @Test
    void anomalyEvaluationRunsOnNabResults() throws Exception {
        Path nab = OUT.resolve("nab");
        Path data = ROOT.resolve("notebooks/data/nab");
        assertEquals(
                0,
                VigilCli.commandLine()
                        .execute(
                                "bench",
                                "nab",
                                "--data",
                                data.resolve("data").toString(),
                                "--windows",
                                data.resolve("windows.json").toString(),
                                "--out",
                                nab.toString()));
        execute("anomaly-evaluation.ipynb", "VIGIL_NAB_OUT", nab);
    }

    /** $VIGIL_PYTHON, else the system's python3 (where Debian's packages install), else python3 on the PATH. */
    private static String python() {
        String env = System.getenv("VIGIL_PYTHON");
        if (env != null && !env.isEmpty()) {
            return env;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private static void execute(String notebook, String envName, Path input) throws IOException, InterruptedException {
        Files.createDirectories(OUT);
        ProcessBuilder pb = new ProcessBuilder(List.of(
                        python(),
                        "-m",
                        "nbconvert",
                        "--to",
                        "notebook",
                        "--execute",
                        "--ExecutePreprocessor.timeout=300",
                        ROOT.resolve("notebooks").resolve(notebook).toString(),
                        "--output-dir",
                        OUT.toString()))
                .directory(ROOT.resolve("notebooks").toFile())
                .redirectErrorStream(true);
        pb.environment().put(envName, input.toString());
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), notebook + " did not finish");
        assertEquals(
                0,
                p.exitValue(),
                notebook + " failed (python3 with nbconvert, pandas and matplotlib is needed; "
                        + ".ci/run installs them):\n" + log);
        assertTrue(Files.isRegularFile(OUT.resolve(notebook)), "executed notebook written: " + log);
    }
}
