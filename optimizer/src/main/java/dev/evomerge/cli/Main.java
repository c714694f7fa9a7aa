package dev.evomerge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code evomerge} command line: one subcommand per job a user runs. */
@Command(name = "evomerge",
        mixinStandardHelpOptions = true,
        version = "evomerge 0.1.0",
        description = "Evolves model-merging recipes.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
