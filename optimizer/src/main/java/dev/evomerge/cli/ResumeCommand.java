package dev.evomerge.cli;

import dev.evomerge.results.RunDirectory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code evomerge resume DIR}: continues a search from its last good checkpoint. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue a search from its last good checkpoint, as if it had never stopped.")
final class ResumeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR")
    private Path runDir;

    @Override
    public Integer call() {
        RunDirectory run = RunDirectory.open(runDir);
        RunSession session = RunSession.of(run);
        return SearchCommand.report(session.run(session.prepare(), run, true), runDir);
    }
}
