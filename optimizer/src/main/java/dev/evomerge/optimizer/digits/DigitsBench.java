package dev.evomerge.optimizer.digits;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs the M2N2 paper's digits table ({@code scripts/bench-m2n2}) and writes, under the output folder,
 * {@code runs.csv} (one line per run, appended as runs finish), {@code curves.csv}, {@code table.md},
 * {@code speed.md} and {@code test-accuracy.png}.
 *
 * <p>With {@code --first-seed K} the seeds run are K .. K + seeds - 1 and the output folder is added to,
 * not started over: the runs already in its {@code runs.csv} (with their curves) are kept, a run whose
 * variant, method and seed are already there is skipped, and table and plot are recomputed from all
 * runs. So a 10-seed table can be completed across sessions.
 *
 * {@snippet :
 * // java ... dev.evomerge.optimizer.digits.DigitsBench --quick --out results/reference/m2n2-digits
 * }
 */
public final class DigitsBench {
    private DigitsBench() {}

    record Options(boolean quick, int seeds, long budget, long pretrainedBudget, List<DigitsMethod> methods,
            boolean pretrained, int threads, Path out, Path data, long recordEvery, int children, int firstSeed,
            boolean append, boolean referenceInit) {}

    static Options parse(String[] args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        int seeds = quick ? 1 : 10;
        long budget = quick ? 2_000 : 50_000;
        long pre = quick ? 1_000 : 10_000;
        List<DigitsMethod> methods = List.of(DigitsMethod.values());
        boolean pretrained = true;
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        Path out = Path.of("results", "reference", "m2n2-digits");
        Path data = null;
        long every = quick ? 100 : 500;
        int children = 1;
        int firstSeed = 0;
        boolean append = false;
        boolean referenceInit = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> { }
                case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                case "--budget" -> budget = Long.parseLong(args[++i]);
                case "--pretrained-budget" -> pre = Long.parseLong(args[++i]);
                case "--methods" -> methods = Arrays.stream(args[++i].split(",")).map(DigitsMethod::byLabel).toList();
                case "--no-pretrained" -> pretrained = false;
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--record-every" -> every = Long.parseLong(args[++i]);
                case "--children" -> children = Integer.parseInt(args[++i]);
                case "--init" -> referenceInit = switch (args[++i]) {
                    case "own" -> false;
                    case "reference" -> true;
                    default -> throw new IllegalArgumentException("bench-m2n2: --init must be own or reference: " + args[i]);
                };
                case "--first-seed" -> {
                    firstSeed = Integer.parseInt(args[++i]);
                    append = true;
                    if (firstSeed < 0) {
                        throw new IllegalArgumentException("bench-m2n2: --first-seed must be at least 0: " + firstSeed);
                    }
                }
                default -> throw new IllegalArgumentException("bench-m2n2: unknown option " + args[i]);
            }
        }
        return new Options(quick, seeds, budget, pre, methods, pretrained, threads, out, data, every, children,
                firstSeed, append, referenceInit);
    }

    public static void main(String[] args) throws IOException {
        Options o = parse(args);
        DigitsData data = o.data() == null ? DigitsData.loadDefault() : DigitsData.load(o.data());
        Files.createDirectories(o.out());
        Path runsCsv = o.out().resolve("runs.csv");
        Path curvesCsv = o.out().resolve("curves.csv");
        List<DigitsExperiment.Run> runs = new ArrayList<>();
        if (o.append() && Files.exists(runsCsv)) {
            runs.addAll(RunsCsv.read(runsCsv, curvesCsv));
            // Rewritten from the kept runs: drops the curve of a run killed before its runs.csv line.
            StringBuilder kept = new StringBuilder(RunsCsv.CURVES_HEADER);
            runs.forEach(r -> kept.append(RunsCsv.curveLines(r)));
            Files.writeString(curvesCsv, kept);
        } else {
            Files.writeString(runsCsv, RunsCsv.RUNS_HEADER);
            Files.writeString(curvesCsv, RunsCsv.CURVES_HEADER);
        }
        String speed;
        try (DigitsExperiment exp = new DigitsExperiment(data, o.threads()).childrenPerGeneration(o.children())
                .referenceInit(o.referenceInit())) {
            Path speedMd = o.out().resolve("speed.md");
            if (o.append() && Files.exists(speedMd)) {
                // Keep the measurement the table was started with; the runs added now are timed in runs.csv.
                speed = Files.readString(speedMd);
            } else {
                speed = speed(data, exp.trainEvaluator(), o.threads());
                Files.writeString(speedMd, speed);
            }
            System.out.print(speed);
            List<Object[]> plan = new ArrayList<>();
            // Seeds outermost, so a run stopped early still has every method for the seeds it finished.
            for (int s = o.firstSeed(); s < o.firstSeed() + o.seeds(); s++) {
                for (DigitsMethod m : o.methods()) {
                    if (o.budget() > 0) {
                        plan.add(new Object[] {m, (long) s, false});
                    }
                }
                for (DigitsMethod m : o.methods()) {
                    if (o.pretrained() && o.pretrainedBudget() > 0 && m != DigitsMethod.CMA_ES) {
                        plan.add(new Object[] {m, (long) s, true});
                    }
                }
            }
            plan.removeIf(p -> runs.stream().anyMatch(r -> r.method().equals(((DigitsMethod) p[0]).label())
                    && r.seed() == (Long) p[1] && r.pretrained() == (Boolean) p[2]));
            if (!runs.isEmpty()) {
                System.out.printf(Locale.ROOT, "%d run(s) already in %s kept, %d to run%n", runs.size(), runsCsv, plan.size());
            }
            writeTable(o, runs, speed);
            plot(runs, o.out().resolve("test-accuracy.png"));
            for (Object[] p : plan) {
                DigitsMethod m = (DigitsMethod) p[0];
                long seed = (Long) p[1];
                boolean pre = (Boolean) p[2];
                DigitsExperiment.Run r = exp.run(m, seed, pre ? o.pretrainedBudget() : o.budget(), pre, o.recordEvery());
                runs.add(r);
                String variant = pre ? "pretrained" : "scratch";
                // The runs.csv line goes last: it marks the run as done for --first-seed.
                append(curvesCsv, RunsCsv.curveLines(r));
                append(runsCsv, RunsCsv.runLine(r));
                System.out.printf(Locale.ROOT, "%-10s %-20s seed %d: test %.4f train %.4f, %d passes in %.1f s%n",
                        variant, r.method(), seed, r.testAccuracy(), r.trainAccuracy(), r.forwardPasses(), r.seconds());
                writeTable(o, runs, speed);
                plot(runs, o.out().resolve("test-accuracy.png"));
            }
        }
    }

    private static void append(Path file, String text) {
        try {
            Files.writeString(file, text, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    /** Times the bare batched products (ND4J sgemm and the Java loop) next to a full forward pass. */
    static String speed(DigitsData data, MlpEvaluator train, int threads) {
        int b = 20;
        int n = data.trainSize();
        var rng = dev.evomerge.optimizer.strategy.Rng.seeded(1);
        List<double[]> cands = new ArrayList<>();
        for (int c = 0; c < b; c++) {
            double[] p = new double[Mlp.PARAMS];
            for (int i = 0; i < p.length; i++) {
                p[i] = 0.01 * rng.nextGaussian();
            }
            cands.add(p);
        }
        long before = train.forwardPasses();
        double javaMs = best(5, () -> train.evaluate(cands)) / b;
        double javaOneMs = best(5, () -> train.evaluate(cands.subList(0, 1)));
        // Undo the timing passes in the evaluator's counter? No: runs count their own passes.
        String nd4jLine;
        try {
            INDArray x = Nd4j.create(data.trainX(), new long[] {n, Mlp.IN}).castTo(DataType.FLOAT);
            INDArray w1 = Nd4j.rand(DataType.FLOAT, Mlp.IN, (long) Mlp.HIDDEN * b);
            INDArray[] w2 = new INDArray[b];
            for (int c = 0; c < b; c++) {
                w2[c] = Nd4j.rand(DataType.FLOAT, Mlp.HIDDEN, Mlp.OUT);
            }
            double l1 = best(5, () -> x.mmul(w1)) / b;
            INDArray h = x.mmul(w1);
            double l2 = best(5, () -> {
                for (int c = 0; c < b; c++) {
                    h.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.interval((long) c * Mlp.HIDDEN, (long) (c + 1) * Mlp.HIDDEN)).mmul(w2[c]);
                }
            }) / b;
            nd4jLine = String.format(Locale.ROOT, "| ND4J sgemm, layer 1 batched ([%d x 64] x [64 x %d]) + layer 2 per candidate | %.3f | %.3f | %.3f |%n",
                    n, Mlp.HIDDEN * b, l1, l2, l1 + l2);
        } catch (Throwable t) {
            nd4jLine = "| ND4J sgemm | unavailable: " + t.getClass().getSimpleName() + " | | |\n";
        }
        if (train.forwardPasses() < before) {
            throw new IllegalStateException("counter went backwards");
        }
        return String.format(Locale.ROOT, """
                # Batched evaluation speed (digits MLP, %d training images, batch of %d candidates, %d thread(s))

                | what | layer 1 ms/candidate | layer 2 ms/candidate | total ms/candidate |
                |---|---|---|---|
                %s| Java Vector API fused forward (both layers + ReLU + argmax), batch %d | | | %.3f |
                | Java Vector API fused forward, batch of 1 | | | %.3f |

                Bare products are timed without bias, ReLU or argmax; best of 5 repetitions.
                Forward passes per second of whole runs (strategy and test-accuracy tracking included) are in table.md.
                """, n, b, threads, nd4jLine, b, javaMs, javaOneMs);
    }

    private static double best(int reps, Runnable r) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps + 1; i++) {
            long t = System.nanoTime();
            r.run();
            double ms = (System.nanoTime() - t) / 1e6;
            if (i > 0) {
                best = Math.min(best, ms);
            }
        }
        return best;
    }

    static void writeTable(Options o, List<DigitsExperiment.Run> runs, String speed) {
        Map<String, List<DigitsExperiment.Run>> groups = new LinkedHashMap<>();
        for (DigitsExperiment.Run r : runs) {
            groups.computeIfAbsent((r.pretrained() ? "pretrained" : "scratch") + "|" + r.method(), k -> new ArrayList<>()).add(r);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# M2N2 digits benchmark (SakanaAI/natural_niches setup)\n\n");
        long[] seeds = runs.stream().mapToLong(DigitsExperiment.Run::seed).distinct().sorted().toArray();
        String seedText = seeds.length == 0 ? "none"
                : seeds.length == seeds[seeds.length - 1] - seeds[0] + 1 ? seeds[0] + ".." + seeds[seeds.length - 1]
                : Arrays.toString(seeds);
        sb.append(String.format(Locale.ROOT,
                "Options: seeds %s, from-scratch budget %d forward passes, pretrained budget %d, %d thread(s), %d child(ren) per M2N2 ask%s%s.%n%n",
                seedText, o.budget(), o.pretrainedBudget(), o.threads(), o.children(), o.quick() ? " (--quick)" : "",
                o.referenceInit() ? ", from-scratch runs from the reference code's initial vectors (--init reference)" : ""));
        if (o.append()) {
            sb.append("Runs were added across invocations (--first-seed); thread count and budgets are this invocation's.\n\n");
        }
        sb.append("Test accuracy of the best-on-train individual at the end of the budget (360 test images).\n\n");
        sb.append("| variant | method | runs | test acc mean | test acc std | train acc mean | wall s/run | forward passes/s |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (var e : groups.entrySet()) {
            List<DigitsExperiment.Run> g = e.getValue();
            double[] test = g.stream().mapToDouble(DigitsExperiment.Run::testAccuracy).toArray();
            double trainMean = g.stream().mapToDouble(DigitsExperiment.Run::trainAccuracy).average().orElse(0);
            double secs = g.stream().mapToDouble(DigitsExperiment.Run::seconds).average().orElse(0);
            double passes = g.stream().mapToDouble(r -> r.forwardPasses() / r.seconds()).average().orElse(0);
            String[] k = e.getKey().split("\\|");
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f%% | %.2f | %.2f%% | %.1f | %.0f |%n", k[0], k[1], g.size(),
                    100 * mean(test), 100 * std(test), 100 * trainMean, secs, passes));
        }
        sb.append("\nStd is the sample standard deviation over runs, in percentage points.\n\n");
        sb.append(speed.replaceFirst("^# ", "## "));
        try {
            Files.writeString(o.out().resolve("table.md"), sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write table.md", e);
        }
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    /** Mean test accuracy versus forward passes per method, one panel per variant. */
    static void plot(List<DigitsExperiment.Run> runs, Path png) {
        int w = 1200, h = 520;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        Color[] palette = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C), new Color(0x9467BD),
                new Color(0xFF7F0E), new Color(0x17BECF)};
        String[] variants = {"scratch", "pretrained"};
        for (int v = 0; v < 2; v++) {
            boolean pre = v == 1;
            int x0 = 70 + v * 600, y0 = 40, pw = 480, ph = 400;
            // method -> forward passes -> sum, count
            Map<String, TreeMap<Long, double[]>> series = new LinkedHashMap<>();
            long maxX = 1;
            for (DigitsExperiment.Run r : runs) {
                if (r.pretrained() != pre) {
                    continue;
                }
                var s = series.computeIfAbsent(r.method(), k -> new TreeMap<>());
                for (DigitsExperiment.Point p : r.curve()) {
                    double[] acc = s.computeIfAbsent(p.forwardPasses(), k -> new double[2]);
                    acc[0] += p.testAccuracy();
                    acc[1] += 1;
                    maxX = Math.max(maxX, p.forwardPasses());
                }
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString((pre ? "Pretrained seeds" : "From scratch") + ": test accuracy of best-on-train (mean over seeds)", x0 - 20, 25);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawRect(x0, y0, pw, ph);
            for (int t = 0; t <= 10; t++) {
                int yy = y0 + ph - t * ph / 10;
                g.setColor(new Color(0xDDDDDD));
                g.drawLine(x0 + 1, yy, x0 + pw - 1, yy);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%d%%", t * 10), x0 - 35, yy + 4);
            }
            for (int t = 0; t <= 5; t++) {
                int xx = x0 + t * pw / 5;
                g.drawString(String.format(Locale.ROOT, "%d", maxX * t / 5), xx - 15, y0 + ph + 16);
            }
            g.drawString("forward passes", x0 + pw / 2 - 40, y0 + ph + 34);
            int ci = 0;
            for (var e : series.entrySet()) {
                g.setColor(palette[ci % palette.length]);
                g.setStroke(new BasicStroke(2f));
                int px = -1, py = -1;
                for (var pt : e.getValue().entrySet()) {
                    int xx = x0 + (int) (pw * pt.getKey() / (double) maxX);
                    int yy = y0 + ph - (int) (ph * pt.getValue()[0] / pt.getValue()[1]);
                    if (px >= 0) {
                        g.drawLine(px, py, xx, yy);
                    }
                    px = xx;
                    py = yy;
                }
                g.fillRect(x0 + pw - 150, y0 + ph - 20 - 16 * (series.size() - ci), 10, 10);
                g.setColor(Color.BLACK);
                g.drawString(e.getKey(), x0 + pw - 135, y0 + ph - 11 - 16 * (series.size() - ci));
                ci++;
            }
        }
        g.dispose();
        try {
            ImageIO.write(img, "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }
}
