package dev.evomerge.optimizer.run;

import dev.evomerge.results.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child process of {@link SearchLoopKillTest}: starts or resumes a synthetic run and is killed with
 * SIGKILL at a random moment. Arguments: run folder, strategy, generations, evaluator sleep in ms.
 */
public final class KillableRun {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        String strategy = args[1];
        RunLimits limits = RunLimits.generations(Long.parseLong(args[2]));
        var eval = new Synthetic.CountingEvaluator();
        eval.sleepMillis = Long.parseLong(args[3]);
        java.util.function.Consumer<GenerationReport> report = r -> {
            System.out.println("gen " + r.generation());
            System.out.flush();
        };
        SearchLoop loop = Files.exists(dir.resolve(RunDirectory.CONFIG))
                ? SearchLoop.resume(RunDirectory.open(dir), Synthetic.space(), Synthetic.factory(strategy), eval, limits,
                        report, System.err::println)
                : SearchLoop.start(RunDirectory.create(dir, "algorithm: " + strategy + "\n"), Synthetic.space(),
                        Synthetic.factory(strategy), eval, limits, report);

        System.out.println("started at generation " + loop.generation());
        System.out.flush();
        loop.run();
        System.out.println("finished");
    }
}
