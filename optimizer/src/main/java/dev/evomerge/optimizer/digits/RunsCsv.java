package dev.evomerge.optimizer.digits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The digits benchmark's {@code runs.csv} (one line per finished run) and {@code curves.csv} (its test
 * accuracy along the run): the lines {@link DigitsBench} appends, and reading both back into
 * {@link DigitsExperiment.Run}s so a table can be continued with more seeds.
 *
 * {@snippet :
 * List<DigitsExperiment.Run> done = RunsCsv.read(out.resolve("runs.csv"), out.resolve("curves.csv"));
 * }
 */
public final class RunsCsv {
    public static final String RUNS_HEADER =
            "variant,method,seed,forward_passes,train_acc,test_acc,seconds,forward_passes_per_s\n";
    public static final String CURVES_HEADER = "variant,method,seed,forward_passes,train_acc,test_acc\n";

    private RunsCsv() {}

    /** The runs.csv line of {@code r}. */
    public static String runLine(DigitsExperiment.Run r) {
        // Six decimals, so a table recomputed from this file matches the one written as the runs finished.
        return String.format(Locale.ROOT, "%s,%s,%d,%d,%.6f,%.6f,%.3f,%.1f%n", variant(r.pretrained()), r.method(),
                r.seed(), r.forwardPasses(), r.trainAccuracy(), r.testAccuracy(), r.seconds(),
                r.forwardPasses() / r.seconds());
    }

    /** The curves.csv lines of {@code r}. */
    public static String curveLines(DigitsExperiment.Run r) {
        StringBuilder c = new StringBuilder();
        for (DigitsExperiment.Point pt : r.curve()) {
            c.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.4f,%.4f%n", variant(r.pretrained()), r.method(),
                    r.seed(), pt.forwardPasses(), pt.trainAccuracy(), pt.testAccuracy()));
        }
        return c.toString();
    }

    /**
     * The runs of {@code runsCsv} in file order, each with its points from {@code curvesCsv} (an absent
     * curves file gives empty curves).
     */
    public static List<DigitsExperiment.Run> read(Path runsCsv, Path curvesCsv) {
        Map<String, List<DigitsExperiment.Point>> curves = new HashMap<>();
        if (Files.exists(curvesCsv)) {
            List<String[]> rows = rows(curvesCsv, CURVES_HEADER, 6);
            for (int i = 0; i < rows.size(); i++) {
                String[] f = rows.get(i);
                try {
                    curves.computeIfAbsent(key(f[0], f[1], f[2]), k -> new ArrayList<>()).add(new DigitsExperiment.Point(
                            Long.parseLong(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5])));
                } catch (NumberFormatException e) {
                    throw bad(curvesCsv, i + 2, e.getMessage());
                }
            }
        }
        List<DigitsExperiment.Run> runs = new ArrayList<>();
        List<String[]> rows = rows(runsCsv, RUNS_HEADER, 8);
        for (int i = 0; i < rows.size(); i++) {
            String[] f = rows.get(i);
            boolean pretrained = switch (f[0]) {
                case "scratch" -> false;
                case "pretrained" -> true;
                default -> throw bad(runsCsv, i + 2, "variant must be scratch or pretrained, got " + f[0]);
            };
            try {
                runs.add(new DigitsExperiment.Run(f[1], Long.parseLong(f[2]), pretrained, Long.parseLong(f[3]),
                        Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]),
                        curves.getOrDefault(key(f[0], f[1], f[2]), List.of())));
            } catch (NumberFormatException e) {
                throw bad(runsCsv, i + 2, e.getMessage());
            }
        }
        return runs;
    }

    private static List<String[]> rows(Path file, String header, int columns) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (lines.isEmpty() || !lines.getFirst().equals(header.strip())) {
            throw bad(file, 1, "header must be " + header.strip());
        }
        List<String[]> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length != columns) {
                throw bad(file, i + 1, "expected " + columns + " columns, got " + f.length);
            }
            out.add(f);
        }
        return out;
    }

    private static String key(String variant, String method, String seed) {
        return variant + "|" + method + "|" + seed;
    }

    private static String variant(boolean pretrained) {
        return pretrained ? "pretrained" : "scratch";
    }

    private static IllegalArgumentException bad(Path file, int line, String why) {
        return new IllegalArgumentException(file + " line " + line + ": " + why);
    }
}
