package dev.evomerge.eval.zoo;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.checkpoint.CharTokenizers;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.eval.runtime.LanguageModel;
import dev.evomerge.eval.runtime.LlamaConfig;
import dev.evomerge.eval.runtime.TrainableLlama;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The demo's model zoo, trained here from nothing: a base language model and experts fine-tuned from it,
 * saved as Hugging Face directories ({@code base/}, one per expert), with a task file per skill
 * ({@code tasks/<skill>.yaml} + JSONL, search and test rows). A directory that already holds a build of
 * the same settings is left as it is; {@code zoo.json}, written last, records which.
 *
 * {@snippet :
 * DemoZoo.build(Path.of("results/demo/zoo"), ZooSettings.demo(), DemoZoo.Listener.QUIET);
 * }
 */
public final class DemoZoo {

    /** Written last: a zoo without it, or with other settings in it, is rebuilt. */
    public static final String STAMP = "zoo.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Progress of a build: a stage starts ({@code steps} long), a step ends. */
    public interface Listener {
        Listener QUIET = new Listener() {
            public void stage(String name, int steps) {
            }

            public void step(int step) {
            }
        };

        void stage(String name, int steps);

        void step(int step);
    }

    private DemoZoo() {
    }

    /** Whether {@code dir} holds a finished build of {@code settings}. */
    public static boolean isBuilt(Path dir, ZooSettings settings) {
        Path stamp = dir.resolve(STAMP);
        if (!Files.isRegularFile(stamp)) {
            return false;
        }
        try {
            return settings.fingerprint().equals(JSON.readTree(stamp.toFile()).path("settings").asText());
        } catch (IOException e) {
            return false;
        }
    }

    /** Builds the zoo into {@code dir} unless it already holds this build; returns {@code dir}. */
    public static Path build(Path dir, ZooSettings settings, Listener listener) {
        if (isBuilt(dir, settings)) {
            // A zoo built before the lm-evaluation-harness versions of its tasks existed gets them too.
            if (!Files.isDirectory(dir.resolve("tasks").resolve(DemoHarnessTasks.FOLDER))) {
                DemoHarnessTasks.write(dir.resolve("tasks"));
            }
            return dir;
        }
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(STAMP));
            ai.djl.engine.Engine.getInstance(); // loads the natives JniUtils calls into
            JniUtils.setNumThreads(settings.threads());
            Map<DemoSkill, List<DemoSkill.Example>> rows = taskRows(settings);
            Set<String> heldOut = new LinkedHashSet<>();
            rows.values().forEach(list -> list.forEach(e -> heldOut.add(e.prompt())));
            writeTasks(dir.resolve("tasks"), rows, settings.searchRows());
            DemoHarnessTasks.write(dir.resolve("tasks"));

            ObjectNode config = config(settings);
            LlamaConfig llama = LlamaConfig.fromJson(config, dir.resolve("base/config.json"));
            ZooTrainer trainer = new ZooTrainer();
            try (TrainableLlama base = TrainableLlama.init(llama, settings.seed(), Device.cpu())) {
                listener.stage("base", settings.base().steps());
                trainer.train(base, settings.baseMixture(), settings.base(), heldOut, listener::step);
                save(base, dir.resolve("base"), config);
            }
            for (ZooSettings.Expert e : settings.experts()) {
                try (TrainableLlama expert = TrainableLlama.load(dir.resolve("base"), Device.cpu())) {
                    listener.stage(e.name(), settings.expert().steps());
                    // Generic text keeps the expert fluent; the other skills are not replayed, so the expert
                    // forgets them as a single-task fine-tune does, and no expert holds every skill.
                    Map<DemoSkill, Double> mix = new LinkedHashMap<>();
                    mix.put(DemoSkill.TEXT, settings.replay());
                    mix.merge(e.skill(), 1 - settings.replay(), Double::sum);
                    trainer.train(expert, mix, settings.expert(), heldOut, listener::step);
                    save(expert, dir.resolve(e.name()), config);
                }
            }
            ObjectNode stamp = JSON.createObjectNode();
            stamp.put("settings", settings.fingerprint());
            Path tmp = dir.resolve(STAMP + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), stamp);
            Files.move(tmp, dir.resolve(STAMP), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }

    /** The fraction of {@code examples} whose answer greedy decoding writes exactly (then a newline). */
    public static double accuracy(LanguageModel model, List<DemoSkill.Example> examples) {
        int[][] seqs = new int[examples.size()][];
        for (int r = 0; r < seqs.length; r++) {
            seqs[r] = DemoSkill.tokens(examples.get(r).text());
        }
        int[][] next = model.greedyNext(seqs);
        int right = 0;
        for (int r = 0; r < seqs.length; r++) {
            int from = examples.get(r).prompt().length() + 1;
            boolean ok = true;
            for (int j = from; j < seqs[r].length && ok; j++) {
                ok = next[r][j - 1] == seqs[r][j];
            }
            right += ok ? 1 : 0;
        }
        return (double) right / seqs.length;
    }

    /** Distinct prompts per task skill, search rows first; a pure function of the settings. */
    public static Map<DemoSkill, List<DemoSkill.Example>> taskRows(ZooSettings settings) {
        Map<DemoSkill, List<DemoSkill.Example>> rows = new LinkedHashMap<>();
        SplittableRandom rng = new SplittableRandom(settings.seed() ^ 0x7A5C);
        Set<String> seen = new java.util.HashSet<>();
        int n = settings.searchRows() + settings.testRows();
        for (DemoSkill s : List.of(DemoSkill.ADD, DemoSkill.TRANSLIT, DemoSkill.REVERSE, DemoSkill.ADD_LETTERS)) {
            List<DemoSkill.Example> list = new ArrayList<>();
            while (list.size() < n) {
                DemoSkill.Example e = s.sample(rng);
                if (seen.add(e.prompt())) {
                    list.add(e);
                }
            }
            rows.put(s, list);
        }
        return rows;
    }

    private static void writeTasks(Path dir, Map<DemoSkill, List<DemoSkill.Example>> rows, int searchRows)
            throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<DemoSkill, List<DemoSkill.Example>> t : rows.entrySet()) {
            String name = t.getKey().taskName();
            StringBuilder jsonl = new StringBuilder();
            List<DemoSkill.Example> list = t.getValue();
            for (int i = 0; i < list.size(); i++) {
                ObjectNode row = JSON.createObjectNode();
                row.put("prompt", list.get(i).prompt());
                row.put("answer", list.get(i).answer());
                row.put("split", i < searchRows ? "search" : "test");
                jsonl.append(JSON.writeValueAsString(row)).append('\n');
            }
            Files.writeString(dir.resolve(name + ".jsonl"), jsonl, StandardCharsets.UTF_8);
            String yaml = "# " + t.getKey().description() + "; rows written by the demo zoo build\n"
                    + "name: " + name + "\n"
                    + "type: generate\n"
                    + "data: " + name + ".jsonl\n"
                    + "metric: exact\n"
                    + "max_new_tokens: 6\n"
                    + "stop: [\"\\n\"]\n";
            Files.writeString(dir.resolve(name + ".yaml"), yaml, StandardCharsets.UTF_8);
        }
    }

    /** A config.json transformers' LlamaForCausalLM accepts: the synthetic models' one, with tied embeddings. */
    static ObjectNode config(ZooSettings s) {
        ObjectNode c = SyntheticCheckpoints.llamaConfig(s.layers(), s.hidden(), s.intermediate(), s.vocab(), DType.F32);
        c.put("num_attention_heads", s.heads());
        c.put("num_key_value_heads", s.heads());
        c.put("head_dim", s.hidden() / s.heads());
        c.put("max_position_embeddings", 64);
        c.put("tie_word_embeddings", true);
        return c;
    }

    private static void save(TrainableLlama model, Path dir, ObjectNode config) {
        model.save(dir, config, d -> CharTokenizers.write(d, DemoSkill.VOCABULARY));
    }
}
