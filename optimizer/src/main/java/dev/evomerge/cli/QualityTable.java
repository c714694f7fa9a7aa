package dev.evomerge.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The search-quality bench's table: test scores per zoo and budget, mean ± standard deviation over seeds. */
final class QualityTable {

    private QualityTable() {
    }

    static String markdown(List<QualityZoo> zoos, List<String> strategies, List<Integer> budgets,
            Map<String, SearchQualityBench.Baselines> baselines, List<SearchQualityBench.Cell> cells) {
        StringBuilder sb = new StringBuilder("| zoo | best parent | best default merge | evaluations |");
        for (String s : strategies) {
            sb.append(' ').append(s).append(s.equals("random") ? " (baseline)" : "").append(" |");
        }
        sb.append("\n|---|---|---|---|").append("---|".repeat(strategies.size())).append('\n');
        for (int budget : budgets) {
            for (QualityZoo z : zoos) {
                SearchQualityBench.Baselines b = baselines.get(z.name());
                sb.append(String.format(Locale.ROOT, "| %s | %.1f%% | %.1f%% | %d |", z.name(), 100 * b.bestParent(),
                        100 * b.bestMerge(), budget));
                for (String s : strategies) {
                    double[] v = cells.stream().filter(c -> c.zoo().equals(z.name()) && c.strategy().equals(s))
                            .mapToDouble(c -> c.testAt(budget)).toArray();
                    sb.append(' ').append(meanSd(v)).append(" |");
                }
                sb.append('\n');
            }
            double parent = baselines.values().stream().mapToDouble(SearchQualityBench.Baselines::bestParent)
                    .average().orElse(Double.NaN);
            double merge = baselines.values().stream().mapToDouble(SearchQualityBench.Baselines::bestMerge)
                    .average().orElse(Double.NaN);
            sb.append(String.format(Locale.ROOT, "| **mean over zoos** | %.1f%% | %.1f%% | %d |", 100 * parent,
                    100 * merge, budget));
            double baseline = zooMean(cells, "random", budget);
            for (String s : strategies) {
                double m = zooMean(cells, s, budget);
                sb.append(String.format(Locale.ROOT, " **%.1f%%**", 100 * m));
                if (!s.equals("random") && !Double.isNaN(baseline)) {
                    sb.append(String.format(Locale.ROOT, " (%+.1f vs random)", 100 * (m - baseline)));
                }
                sb.append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The mean over zoos of each zoo's mean over seeds. */
    private static double zooMean(List<SearchQualityBench.Cell> cells, String strategy, int budget) {
        return cells.stream().filter(c -> c.strategy().equals(strategy)).map(SearchQualityBench.Cell::zoo).distinct()
                .mapToDouble(z -> cells.stream().filter(c -> c.zoo().equals(z) && c.strategy().equals(strategy))
                        .mapToDouble(c -> c.testAt(budget)).average().orElse(Double.NaN))
                .average().orElse(Double.NaN);
    }

    private static String meanSd(double[] v) {
        if (v.length == 0) {
            return "";
        }
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        mean /= v.length;
        if (v.length == 1) {
            return String.format(Locale.ROOT, "%.1f%%", 100 * mean);
        }
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return String.format(Locale.ROOT, "%.1f%% ± %.1f", 100 * mean, 100 * Math.sqrt(ss / (v.length - 1)));
    }
}
