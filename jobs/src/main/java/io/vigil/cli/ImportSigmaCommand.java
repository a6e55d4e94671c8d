package io.vigil.cli;

import io.vigil.rules.sigma.SigmaImport;
import io.vigil.rules.sigma.SigmaMapping;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil rules import-sigma PATH... --out DIR}: Sigma rules into Vigil rules and rule tests
 * ({@link SigmaImport}); what cannot be translated is listed with file:line and the reason. Exit 0 when something
 * was translated, 1 when nothing was, 2 on a wrong flag.
 */
@Command(
        name = "import-sigma",
        mixinStandardHelpOptions = true,
        description = "Translate Sigma rules (YAML files or folders) into Vigil rules and generated rule tests; lists "
                + "every rule it cannot translate with file:line and the reason.")
public final class ImportSigmaCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Sigma rule files or folders (*.yml, *.yaml)")
    List<Path> paths;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for the rules and tests/")
    Path out;

    @Option(
            names = "--mapping",
            paramLabel = "FILE",
            description = "more logsource and field mappings, tried before the default rules/sigma/_mapping.yaml "
                    + "(repeatable)")
    List<Path> mappings;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new CommandLine.ParameterException(spec.commandLine(), p + ": no such file or folder");
            }
        }
        List<Path> files = new ArrayList<>();
        if (mappings != null) {
            for (Path m : mappings) {
                if (!Files.isRegularFile(m)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--mapping " + m + ": no such file");
                }
                files.add(m);
            }
        }
        files.add(VigilHome.rules().resolve("sigma/_mapping.yaml"));
        SigmaImport.Result r;
        try {
            r = new SigmaImport(SigmaMapping.load(files)).run(paths, out);
        } catch (IOException e) {
            err.println(e.getMessage());
            err.flush();
            return 1;
        }
        r.skipped().forEach(s -> err.println("not translated: " + s));
        stdout.printf(
                "%d rule(s) translated into %s (%d with a generated test in %s), %d not translated%n",
                r.rules().size(),
                out,
                r.tests().size(),
                out.resolve("tests"),
                r.skipped().size());
        stdout.flush();
        err.flush();
        return r.rules().isEmpty() ? 1 : 0;
    }
}
