package dev.evomerge.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a search leaves on disk, in one folder:
 * <ul>
 * <li>{@code config.yaml}: the config as given, written once;</li>
 * <li>{@code history.jsonl}: one {@link HistoryRecord} per evaluated candidate;</li>
 * <li>{@code fitness-cache.jsonl}: one {@link CachedFitness} per distinct recipe evaluated;</li>
 * <li>{@code checkpoint/gen-NNNNNN.ckpt}: see {@link SearchSnapshots};</li>
 * <li>{@code pareto.json} (multi-objective runs) and {@code best-recipe.yaml}, rewritten atomically.</li>
 * </ul>
 * The two {@code .jsonl} files are append-only; a line torn by a kill is ignored on reading and cut off
 * before the next append.
 *
 * {@snippet :
 * RunDirectory run = RunDirectory.create(Path.of("runs/a"), Files.readString(config));
 * run.appendHistory(records);
 * run.sync();
 * run.checkpoints().write(generation, payload);
 * RunDirectory again = RunDirectory.open(Path.of("runs/a"));   // for resume
 * }
 */
public final class RunDirectory {
    public static final String CONFIG = "config.yaml";
    public static final String HISTORY = "history.jsonl";
    public static final String CACHE = "fitness-cache.jsonl";
    public static final String CHECKPOINTS = "checkpoint";
    public static final String PARETO = "pareto.json";
    public static final String BEST_RECIPE = "best-recipe.yaml";
    /** The merged-tensor cache's counters for the latest session (written by the search command). */
    public static final String MERGE_CACHE = "merge-cache.json";

    private final Path dir;
    private final AppendLog history;
    private final AppendLog cache;
    private final SearchSnapshots checkpoints;

    private RunDirectory(Path dir) {
        this.dir = dir;
        this.history = new AppendLog(dir.resolve(HISTORY));
        this.cache = new AppendLog(dir.resolve(CACHE));
        this.checkpoints = new SearchSnapshots(dir.resolve(CHECKPOINTS));
    }

    /** Starts a new run in {@code dir} (created if missing); refuses a folder that already holds a run. */
    public static RunDirectory create(Path dir, String configText) {
        Objects.requireNonNull(configText, "configText");
        RunDirectory run = new RunDirectory(dir);
        if (Files.exists(dir.resolve(CONFIG)) || Files.exists(dir.resolve(HISTORY))
                || !run.checkpoints.generations().isEmpty()) {
            throw new IllegalStateException(dir + ": already holds a run (resume it, or choose another --run folder)");
        }
        try {
            Files.createDirectories(dir.resolve(CHECKPOINTS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run folder " + dir + ": " + e.getMessage(), e);
        }
        AtomicFiles.write(dir.resolve(CONFIG), configText.getBytes(StandardCharsets.UTF_8));
        return run;
    }

    /** An existing run, e.g. to resume it. */
    public static RunDirectory open(Path dir) {
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            throw new IllegalArgumentException(dir + ": not a run folder (no " + CONFIG + ")");
        }
        return new RunDirectory(dir);
    }

    public Path path() {
        return dir;
    }

    /** The config exactly as it was given at creation. */
    public String config() {
        try {
            return Files.readString(dir.resolve(CONFIG), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(CONFIG) + ": " + e.getMessage(), e);
        }
    }

    public SearchSnapshots checkpoints() {
        return checkpoints;
    }

    public void appendHistory(List<HistoryRecord> records) {
        history.append(records.stream().map(RunDirectory::json).toList());
    }

    /** All complete history lines, in order. */
    public List<HistoryRecord> history() {
        List<HistoryRecord> out = new ArrayList<>();
        for (String line : history.readLines()) {
            out.add(parse(line, HistoryRecord.class, history.file()));
        }
        return out;
    }

    /** The raw complete history lines (for comparing runs). */
    public List<String> historyLines() {
        return history.readLines();
    }

    /**
     * Drops every history line of a generation after {@code generation} (those of a generation that never
     * reached its checkpoint) and a torn last line; returns how many complete lines were dropped.
     */
    public int truncateHistoryAfter(long generation) {
        history.repairTail();
        List<String> lines = history.readLines();
        int keep = 0;
        while (keep < lines.size()
                && parse(lines.get(keep), HistoryRecord.class, history.file()).generation() <= generation) {
            keep++;
        }
        history.keepFirstLines(keep);
        return lines.size() - keep;
    }

    public void appendCache(List<CachedFitness> entries) {
        cache.append(entries.stream().map(RunDirectory::json).toList());
    }

    /**
     * The fitness cache by recipe hash (first entry wins), after cutting off a line torn by a kill.
     * A complete line that does not parse is an error naming the file and line.
     */
    public Map<String, CachedFitness> loadCache() {
        cache.repairTail();
        Map<String, CachedFitness> out = new LinkedHashMap<>();
        for (String line : cache.readLines()) {
            CachedFitness c = parse(line, CachedFitness.class, cache.file());
            out.putIfAbsent(c.recipeHash(), c);
        }
        return out;
    }

    /** Forces appended history and cache lines to disk; call before writing the generation's checkpoint. */
    public void sync() {
        history.sync();
        cache.sync();
    }

    /** Rewrites {@code pareto.json} atomically with {@code value} serialised as JSON. */
    public void writePareto(Object value) {
        try {
            AtomicFiles.write(dir.resolve(PARETO), RunJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise the Pareto set for " + dir.resolve(PARETO), e);
        }
    }

    /** Rewrites {@code best-recipe.yaml} atomically. */
    public void writeBestRecipe(String yaml) {
        AtomicFiles.write(dir.resolve(BEST_RECIPE), yaml.getBytes(StandardCharsets.UTF_8));
    }

    private static String json(Object value) {
        try {
            return RunJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    private static <T> T parse(String line, Class<T> type, Path file) {
        try {
            return RunJson.mapper().readValue(line, type);
        } catch (JsonProcessingException e) {
            String head = line.length() > 80 ? line.substring(0, 80) + "..." : line;
            throw new IllegalStateException(file + ": unreadable line '" + head + "': " + e.getOriginalMessage());
        }
    }
}
