package dev.evomerge.cli;

import dev.evomerge.results.RunDirectory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code evomerge resume DIR}: continues a search from its last good checkpoint. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue a search from its last good checkpoint, as if it had never stopped"
                + " (on the cluster it was launched with, if any).")
final class ResumeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR")
    private Path runDir;

    @Option(names = "--merge-cache-mb", paramLabel = "N", description = "MiB of merged tensors kept for candidates"
            + " that share layers (0: off; default: what the search was started with)")
    private Long mergeCacheMb;

    @Override
    public Integer call() {
        RunDirectory run = RunDirectory.open(runDir);
        RunSession session = RunSession.of(run);
        if (mergeCacheMb != null) {
            session = session.withMergeCacheMb(mergeCacheMb);
        }
        int before = run.historyLines().size();
        RunSession.Finished finished = session.run(session.prepare(), run, true, e -> e, RunSession.clusterOf(run));
        if (finished.loop().evaluations() == before && before > 0) {
            System.out.println("the run had already reached its limits (" + finished.loop().stopReason()
                    + "); nothing was evaluated now. To go further, start a new search with a larger budget.");
        }
        return SearchCommand.report(finished, runDir);
    }
}
