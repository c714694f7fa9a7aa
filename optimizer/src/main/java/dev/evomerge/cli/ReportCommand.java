package dev.evomerge.cli;

import dev.evomerge.results.report.RunReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code evomerge report DIR}: writes the run's report.html and its plots, and prints the page's path. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write a run's report.html (fitness per generation, Pareto front, best recipe) with PNG plots.")
final class ReportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_DIR")
    private Path runDir;

    @Override
    public Integer call() {
        RunReport report = RunReport.write(runDir);
        report.notes().forEach(note -> System.err.println("evomerge: " + note));
        System.out.println(report.html());
        return 0;
    }
}
