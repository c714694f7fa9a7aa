package dev.evomerge.docs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Checks a command shown in a document against the real command line: the named subcommand exists and each
 * option is one its {@code --help} lists. Placeholders ({@code RUN}, {@code <file>}, {@code [--limit N]}) pass as
 * arguments; option values are not type-checked, so {@code --population N} is fine.
 *
 * <p>A command is one whose first word, after environment assignments and {@code nice}/{@code time}/{@code env},
 * is the launcher ({@code scripts/evomerge}, {@code evomerge}, {@code java ... -jar .../evomerge.jar}) or a script
 * that hands its arguments to a subcommand ({@code scripts/demo} to {@code demo}). Any other {@code scripts/NAME}
 * must exist.
 */
final class CommandCheck {

    /** Scripts that run one subcommand with the arguments they are given. */
    private static final Map<String, String> FORWARDING_SCRIPTS = Map.of("scripts/demo", "demo");

    private final CommandSpec root;
    private final Path repo;

    CommandCheck(CommandSpec root, Path repo) {
        this.root = root;
        this.repo = repo;
    }

    /** Problems with every simple command on {@code line} (one line of a shell block, or an inline span). */
    List<String> check(String line) {
        List<String> problems = new ArrayList<>();
        for (List<String> words : ShellLine.commands(line)) {
            checkCommand(words).ifPresent(problems::add);
        }
        return problems;
    }

    /** Whether {@code line} starts with a command this check reads (an inline span that is not one is prose). */
    boolean isCommand(String line) {
        List<List<String>> commands = ShellLine.commands(line);
        if (commands.isEmpty()) {
            return false;
        }
        List<String> words = commands.getFirst();
        int at = skipPrefix(words);
        if (at >= words.size()) {
            return false;
        }
        String first = words.get(at).replaceFirst("^\\./", "");
        // A folder (scripts/reference/) is a place, not a command.
        return launcherArgs(words, at) != null || first.startsWith("scripts/") && !first.endsWith("/");
    }

    private Optional<String> checkCommand(List<String> words) {
        int at = skipPrefix(words);
        if (at >= words.size()) {
            return Optional.empty();
        }
        List<String> args = launcherArgs(words, at);
        if (args != null) {
            return checkArgs(args);
        }
        String first = words.get(at).replaceFirst("^\\./", "");
        if (first.startsWith("scripts/") && !first.endsWith("/") && !isPlaceholder(first)
                && !Files.isRegularFile(repo.resolve(first))) {
            return Optional.of("'" + first + "' does not exist");
        }
        return Optional.empty();
    }

    /** {@code scripts/NAME}, {@code scripts/<name>}, {@code scripts/bench-*}: a kind of script, not one. */
    private static boolean isPlaceholder(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.matches("[A-Z][A-Z0-9_-]*") || name.contains("<") || name.contains("*");
    }

    /** The arguments given to evomerge, with a forwarding script's subcommand first; null if not a launch. */
    private static List<String> launcherArgs(List<String> words, int at) {
        String first = words.get(at).replaceFirst("^\\./", "");
        List<String> rest = words.subList(at + 1, words.size());
        if (first.equals("evomerge") || first.equals("scripts/evomerge")) {
            return rest;
        }
        String subcommand = FORWARDING_SCRIPTS.get(first);
        if (subcommand != null) {
            List<String> args = new ArrayList<>(List.of(subcommand));
            args.addAll(rest);
            return args;
        }
        if (first.equals("java")) {
            for (int i = 0; i + 1 < rest.size(); i++) {
                if (rest.get(i).equals("-jar") && rest.get(i + 1).endsWith("evomerge.jar")) {
                    return rest.subList(i + 2, rest.size());
                }
            }
        }
        return null;
    }

    /** Index of the first word after {@code A=b}, {@code env}, {@code time}, {@code nice [-n N]} and a prompt. */
    private static int skipPrefix(List<String> words) {
        int i = 0;
        while (i < words.size()) {
            String w = words.get(i);
            if (w.equals("$") || w.equals("env") || w.equals("time") || w.matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
                i++;
            } else if (w.equals("nice")) {
                i++;
                if (i < words.size() && words.get(i).equals("-n")) {
                    i += 2;
                } else if (i < words.size() && words.get(i).matches("-\\d+")) {
                    i++;
                }
            } else {
                break;
            }
        }
        return i;
    }

    private Optional<String> checkArgs(List<String> args) {
        CommandSpec spec = root;
        String name = root.name();
        boolean optionsEnded = false;
        boolean positionalSeen = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i).replaceAll("^\\[+|\\]+$", "");
            if (arg.matches("\\d*>.*") || arg.startsWith("<") && !arg.matches("<[^<>]+>")) {
                break; // a redirection: the rest is the shell's
            }
            if (arg.isEmpty() || arg.equals("...")) {
                continue;
            }
            if (!optionsEnded && arg.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (!optionsEnded && arg.startsWith("-") && arg.length() > 1 && !arg.matches("-\\d.*")) {
                String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                OptionSpec o = spec.findOption(option);
                if (o == null) {
                    return Optional.of("'" + name + "' has no option " + option + " (see '" + name + " --help')");
                }
                if (!arg.contains("=") && o.arity().max() > 0 && !o.typeInfo().isBoolean()) {
                    i++; // its value
                }
                continue;
            }
            if (!positionalSeen && !spec.subcommands().isEmpty()) {
                var sub = spec.subcommands().get(arg);
                if (sub == null) {
                    return Optional.of("'" + name + "' has no subcommand '" + arg + "' (it has: "
                            + String.join(", ", spec.subcommands().keySet()) + ")");
                }
                spec = sub.getCommandSpec();
                name = spec.qualifiedName();
                continue;
            }
            positionalSeen = true;
        }
        return Optional.empty();
    }
}
