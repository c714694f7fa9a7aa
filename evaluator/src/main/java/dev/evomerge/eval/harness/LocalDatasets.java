package dev.evomerge.eval.harness;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evomerge.eval.task.TaskException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds and reads a task's data from local files only. With {@code dataset_kwargs.data_files} the files are
 * named by the task (relative to the file that names them); otherwise a hub dataset's split is looked up under
 * the data directory as {@code DIR/<dataset_path>/<dataset_name>/<split>.jsonl} (or {@code .json},
 * {@code .csv}; without a {@code dataset_name}, {@code DIR/<dataset_path>/<split>.*}).
 *
 * {@snippet :
 * List<HarnessDoc.Source> test = LocalDatasets.split(spec, "test", Path.of("/data/lm-eval"));
 * // reads /data/lm-eval/openai/gsm8k/main/test.jsonl for dataset_path: openai/gsm8k, dataset_name: main
 * }
 */
public final class LocalDatasets {

    /** A document: its fields and where it was read (file and 1-based line or row). */
    public record Doc(Map<String, Object> fields, Path file, int line) {
        public Doc {
            fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }
    }

    /** The environment variable that names the data directory when {@code --data-dir} is not given. */
    public static final String DATA_DIR_ENV = "EVOMERGE_DATA_DIR";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> EXTENSIONS = List.of(".jsonl", ".json", ".csv");

    /** The documents of {@code split}, in file order. */
    public static List<Doc> split(HarnessSpec spec, String split, Path dataDir) {
        List<Path> files = files(spec, split, dataDir);
        List<Doc> docs = new ArrayList<>();
        for (Path f : files) {
            docs.addAll(read(f));
        }
        if (docs.isEmpty()) {
            throw new TaskException(files.getFirst(), 0, "no rows in split '" + split + "'");
        }
        return docs;
    }

    private static List<Path> files(HarnessSpec spec, String split, Path dataDir) {
        if (!spec.dataFiles().isEmpty()) {
            HarnessYaml.Value kw = spec.keys().get("dataset_kwargs");
            List<String> names = spec.dataFiles().get(split);
            if (names == null) {
                throw new TaskException(kw.file(), kw.line(), "dataset_kwargs.data_files has no split '" + split
                        + "' (it has: " + String.join(", ", spec.dataFiles().keySet()) + ")");
            }
            List<Path> out = new ArrayList<>();
            for (String n : names) {
                Path p = kw.file().getParent().resolve(n).normalize();
                if (!Files.isRegularFile(p)) {
                    throw new TaskException(kw.file(), kw.line(), "data file not found: " + p);
                }
                out.add(p);
            }
            return out;
        }
        HarnessYaml.Value dp = spec.keys().get("dataset_path");
        if (dataDir == null) {
            throw new TaskException(dp.file(), dp.line(), "dataset_path '" + spec.datasetPath()
                    + "' is a hub dataset and nothing is downloaded: give --data-dir DIR (or " + DATA_DIR_ENV
                    + ") holding " + layout(spec, split));
        }
        Path folder = dataDir.resolve(spec.datasetPath());
        if (spec.datasetName() != null) {
            folder = folder.resolve(spec.datasetName());
        }
        for (String ext : EXTENSIONS) {
            Path p = folder.resolve(split + ext);
            if (Files.isRegularFile(p)) {
                return List.of(p);
            }
        }
        throw new TaskException(dp.file(), dp.line(), "split '" + split + "' not found: looked for "
                + folder.resolve(split + ".jsonl") + " (or .json, .csv)");
    }

    private static String layout(HarnessSpec spec, String split) {
        return "DIR/" + spec.datasetPath() + (spec.datasetName() == null ? "" : "/" + spec.datasetName()) + "/" + split + ".jsonl";
    }

    /** Reads one JSON Lines, JSON (an array of objects, or JSON Lines) or CSV file. */
    static List<Doc> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TaskException(file, 0, "cannot read: " + e.getMessage());
        }
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".csv")) {
            return Csv.read(file, text);
        }
        if (name.endsWith(".json") && text.stripLeading().startsWith("[")) {
            try {
                List<Map<String, Object>> rows = JSON.readValue(text, new TypeReference<>() { });
                List<Doc> out = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    out.add(new Doc(rows.get(i), file, i + 1));
                }
                return out;
            } catch (IOException e) {
                throw new TaskException(file, 0, "not a JSON array of objects: " + firstLine(e.getMessage()));
            }
        }
        List<Doc> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                Map<String, Object> row = JSON.readValue(lines[i], new TypeReference<>() { });
                if (row == null) {
                    throw new TaskException(file, i + 1, "expected a JSON object");
                }
                out.add(new Doc(row, file, i + 1));
            } catch (IOException e) {
                throw new TaskException(file, i + 1, "not a JSON object: " + firstLine(e.getMessage()));
            }
        }
        return out;
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "";
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** CSV as datasets reads it through pandas: a header row, quoted fields, integers and floats inferred per column. */
    private static final class Csv {
        static List<Doc> read(Path file, String text) {
            List<List<String>> records = parse(file, text);
            if (records.isEmpty()) {
                return List.of();
            }
            List<String> header = records.getFirst();
            int columns = header.size();
            boolean[] integral = new boolean[columns];
            boolean[] numeric = new boolean[columns];
            java.util.Arrays.fill(integral, true);
            java.util.Arrays.fill(numeric, true);
            for (List<String> rec : records.subList(1, records.size())) {
                if (rec.size() != columns) {
                    throw new TaskException(file, records.indexOf(rec) + 1, "expected " + columns + " fields, got " + rec.size());
                }
                for (int c = 0; c < columns; c++) {
                    String v = rec.get(c);
                    integral[c] &= v.matches("-?\\d+");
                    numeric[c] &= v.matches("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
                }
            }
            List<Doc> out = new ArrayList<>();
            for (int r = 1; r < records.size(); r++) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int c = 0; c < columns; c++) {
                    String v = records.get(r).get(c);
                    row.put(header.get(c), integral[c] ? (Object) Long.parseLong(v) : numeric[c] ? (Object) Double.parseDouble(v) : v);
                }
                out.add(new Doc(row, file, r + 1));
            }
            return out;
        }

        private static List<List<String>> parse(Path file, String text) {
            List<List<String>> out = new ArrayList<>();
            List<String> rec = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean any = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        field.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                    any = true;
                } else if (c == ',') {
                    rec.add(field.toString());
                    field.setLength(0);
                    any = true;
                } else if (c == '\n' || c == '\r') {
                    if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                        i++;
                    }
                    if (any || field.length() > 0) {
                        rec.add(field.toString());
                        out.add(rec);
                    }
                    rec = new ArrayList<>();
                    field.setLength(0);
                    any = false;
                } else {
                    field.append(c);
                    any = true;
                }
            }
            if (quoted) {
                throw new TaskException(file, 0, "unclosed quote");
            }
            if (any || field.length() > 0) {
                rec.add(field.toString());
                out.add(rec);
            }
            return out;
        }
    }

    private LocalDatasets() {
    }
}
