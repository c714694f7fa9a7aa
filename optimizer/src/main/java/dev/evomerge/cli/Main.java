package dev.evomerge.cli;

import dev.evomerge.eval.runtime.NativeHeap;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code evomerge} command line: one subcommand per job a user runs.
 *
 * {@snippet :
 * // scripts/evomerge merge recipe.yaml --out merged/
 * int code = Main.run("merge", "recipe.yaml", "--out", "merged");
 * }
 */
@Command(name = "evomerge",
        mixinStandardHelpOptions = true,
        version = "evomerge 0.1.0",
        description = "Evolves model-merging recipes.",
        subcommands = {MergeCommand.class, EvalCommand.class, SearchCommand.class, ResumeCommand.class,
                WorkerCommand.class, ExportCommand.class, SynthCommand.class, ReportCommand.class, DemoCommand.class,
                TasksCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code for bad input (a recipe, checkpoint or option the user can fix). */
    public static final int BAD_INPUT = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs a command line in-process and returns its exit code (used by tests). */
    public static int run(String... args) {
        return run(new PrintWriter(System.err, true), args);
    }

    /** As {@link #run(String...)}, reporting errors to {@code err}. */
    public static int run(PrintWriter err, String... args) {
        return new CommandLine(new Main())
                .setErr(err)
                .setExecutionExceptionHandler(Main::report)
                .setParameterExceptionHandler(Main::usageError)
                .execute(args);
    }

    // A mistyped option gets one line and a pointer to the help, not the whole usage block under the error.
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("evomerge: " + UserErrors.oneLine(e) + " (see '"
                + cmd.getCommandSpec().qualifiedName() + " --help')");
        return BAD_INPUT;
    }

    public static void main(String[] args) {
        NativeHeap.keepFreedMemory();   // before any tensor is allocated: see its javadoc for the figures
        System.exit(run(args));
    }

    // A user fixing a recipe wants one line naming the file and key, not a stack trace; a bug still gets one.
    private static int report(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (UserErrors.isUserError(e)) {
            cmd.getErr().println("evomerge: " + UserErrors.oneLine(e));
            return BAD_INPUT;
        }
        e.printStackTrace(cmd.getErr());
        return 1;
    }
}
