package dev.evomerge.eval.harness;

import dev.evomerge.eval.harness.HarnessSpec.OutputType;
import dev.evomerge.eval.harness.LocalDatasets.Doc;
import dev.evomerge.eval.task.TaskException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * An lm-evaluation-harness task compiled into rendered documents for the two uses evomerge has: the
 * <em>evaluation</em> split (its {@code test_split}, else {@code validation_split}, as lm-evaluation-harness
 * chooses), reported and never searched on, and a <em>search</em> split that shares no row with it.
 *
 * <p>The search split is the validation split when the task has one that is not the evaluation split; else a
 * fixed, seeded sample of the training split (few-shot examples for the search are then drawn from the
 * training rows outside that sample); else a fixed, seeded part of the evaluation split, which the evaluation
 * then leaves out (see {@link #warnings()}).
 *
 * <p>Each split's prompts are drawn as lm-evaluation-harness draws them: one sampler seeded 1234, drawn
 * through the documents in order; the document itself is left out of its few-shot examples only when the
 * few-shot split is the task's {@code test_split} (for the search split: when it is the split searched on).
 *
 * {@snippet :
 * HarnessTask t = HarnessTask.compile(HarnessSpec.load(Path.of("gsm8k.yaml")), HarnessTask.Options.defaults());
 * t.test().getFirst().context();   // "Question: ...\nAnswer: ...\n\nQuestion: ...\nAnswer:"
 * }
 */
public record HarnessTask(HarnessSpec spec, List<HarnessDoc> search, List<HarnessDoc> test, String searchSource,
                          String testSource, List<String> warnings, String fitnessMetric) {

    /** The seed of lm-evaluation-harness's few-shot sampler. */
    static final int FEWSHOT_SEED = 1234;
    /** The seed of evomerge's own draws (search sample); fixed so a task always searches the same rows. */
    static final int SPLIT_SEED = 0;
    /** Share of the evaluation split searched on when the task has no other split. */
    static final double SEARCH_SHARE_OF_TEST = 0.3;
    /** At most this many training rows are sampled for the search. */
    static final int MAX_TRAINING_SAMPLE = 1000;

    public HarnessTask {
        search = List.copyOf(search);
        test = List.copyOf(test);
        warnings = List.copyOf(warnings);
        List<String> known = HarnessScorer.metricKeys(spec);
        if (fitnessMetric != null && !known.contains(fitnessMetric)) {
            throw new IllegalArgumentException("task " + spec.task() + " reports no metric '" + fitnessMetric
                    + "' (it reports: " + String.join(", ", known) + ")");
        }
    }

    /**
     * The same task with {@code metric} (a name such as {@code acc_norm,none}) as its score: the search's fitness
     * (mergekit-evolve's {@code metric:}); null for the first metric.
     */
    public HarnessTask withFitnessMetric(String metric) {
        return new HarnessTask(spec, search, test, searchSource, testSource, warnings, metric);
    }

    /** The metric that is this task's score. */
    public String scoreMetric() {
        return fitnessMetric != null ? fitnessMetric : HarnessScorer.metricKeys(spec).getFirst();
    }

    /**
     * @param dataDir    where hub datasets' splits are looked up (null: none given)
     * @param numFewshot overrides the file's {@code num_fewshot} when >= 0
     */
    public record Options(Path dataDir, int numFewshot, ChatTemplate chatTemplate, boolean fewshotAsMultiturn) {

        public Options(Path dataDir, int numFewshot) {
            this(dataDir, numFewshot, null, false);
        }

        public Options {
            if (fewshotAsMultiturn && chatTemplate == null) {
                throw new IllegalArgumentException("--fewshot-as-multiturn needs --apply-chat-template");
            }
        }

        public static Options defaults() {
            String env = System.getenv(LocalDatasets.DATA_DIR_ENV);
            return new Options(env == null || env.isBlank() ? null : Path.of(env), -1);
        }

        public Options withDataDir(Path dir) {
            return new Options(dir, numFewshot, chatTemplate, fewshotAsMultiturn);
        }

        /**
         * Prompts rendered through a tokenizer's chat template (lm-evaluation-harness's
         * {@code --apply_chat_template}), the few-shot examples as separate turns when {@code multiturn}.
         */
        public Options withChatTemplate(ChatTemplate template, boolean multiturn) {
            return new Options(dataDir, numFewshot, template, multiturn);
        }
    }

    public String name() {
        return spec.task();
    }

    /** Which rows each split holds, for checking that no evaluated row reached the search. */
    public String describeSplits() {
        return "search: " + searchSource + " (" + search.size() + " rows); test: " + testSource + " (" + test.size() + " rows)";
    }

    public static HarnessTask compile(HarnessSpec spec, Options options) {
        String evalSplit = spec.testSplit() != null ? spec.testSplit() : spec.validationSplit();
        if (evalSplit == null) {
            throw new TaskException(spec.file(), 0, "the task names neither test_split nor validation_split");
        }
        int shots = options.numFewshot() >= 0 ? options.numFewshot() : spec.numFewshot();
        List<Doc> evalDocs = LocalDatasets.split(spec, evalSplit, options.dataDir());
        HarnessPrompts prompts = new HarnessPrompts(spec, new HarnessTemplates(), evalDocs.getFirst().fields().keySet());

        String fewshotSplit = spec.fewshotSplit() != null ? spec.fewshotSplit()
                : spec.trainingSplit() != null ? spec.trainingSplit()
                : spec.validationSplit() != null ? spec.validationSplit() : spec.testSplit();
        List<Doc> fewshotDocs = shots > 0 ? load(spec, fewshotSplit, evalSplit, evalDocs, options) : List.of();
        if (shots > 0 && fewshotDocs.size() < shots + (Objects.equals(spec.fewshotSplit(), spec.testSplit()) ? 1 : 0)) {
            throw new TaskException(spec.file(), 0, "num_fewshot " + shots + " needs more rows than split '"
                    + fewshotSplit + "' has (" + fewshotDocs.size() + ")");
        }

        List<String> warnings = new ArrayList<>();
        List<Doc> searchDocs;
        String searchSplit;
        String searchSource;
        List<Doc> testDocs = evalDocs;
        String testSource = evalSplit + " split, all rows";
        List<Doc> searchFewshot = fewshotDocs;
        boolean searchExcludesItself;
        if (spec.validationSplit() != null && !spec.validationSplit().equals(evalSplit)) {
            searchSplit = spec.validationSplit();
            searchDocs = load(spec, searchSplit, evalSplit, evalDocs, options);
            searchSource = searchSplit + " split, all rows";
            searchExcludesItself = searchSplit.equals(fewshotSplit);
        } else if (spec.trainingSplit() != null) {
            searchSplit = spec.trainingSplit();
            List<Doc> train = load(spec, searchSplit, evalSplit, evalDocs, options);
            int k = Math.min(MAX_TRAINING_SAMPLE, shots > 0 && searchSplit.equals(fewshotSplit)
                    ? Math.max(1, (train.size() - shots) / 2) : train.size());
            Set<Integer> picked = new HashSet<>(new PyRandom(SPLIT_SEED).sample(IntStream.range(0, train.size()).boxed().toList(), k));
            searchDocs = IntStream.range(0, train.size()).filter(picked::contains).mapToObj(train::get).toList();
            if (searchSplit.equals(fewshotSplit)) {
                searchFewshot = IntStream.range(0, train.size()).filter(i -> !picked.contains(i)).mapToObj(train::get).toList();
                if (shots > searchFewshot.size()) {
                    throw new TaskException(spec.file(), 0, "split '" + searchSplit + "' is too small to hold both the "
                            + "search rows and " + shots + " few-shot examples");
                }
            }
            searchSource = searchSplit + " split, a seeded sample of " + k + " of " + train.size() + " rows";
            searchExcludesItself = false;
        } else {
            searchSplit = evalSplit;
            int k = Math.max(1, (int) Math.round(evalDocs.size() * SEARCH_SHARE_OF_TEST));
            if (k >= evalDocs.size()) {
                throw new TaskException(spec.file(), 0, "split '" + evalSplit + "' has too few rows ("
                        + evalDocs.size() + ") to set some aside for the search");
            }
            Set<Integer> picked = new HashSet<>(new PyRandom(SPLIT_SEED).sample(IntStream.range(0, evalDocs.size()).boxed().toList(), k));
            searchDocs = IntStream.range(0, evalDocs.size()).filter(picked::contains).mapToObj(evalDocs::get).toList();
            testDocs = IntStream.range(0, evalDocs.size()).filter(i -> !picked.contains(i)).mapToObj(evalDocs::get).toList();
            searchSource = evalSplit + " split, a seeded sample of " + k + " of " + evalDocs.size() + " rows";
            testSource = evalSplit + " split, the " + testDocs.size() + " rows outside the search sample";
            warnings.add("task " + spec.task() + " has only the " + evalSplit + " split: the search scores a seeded "
                    + k + " of its " + evalDocs.size() + " rows and the test score leaves those out");
            searchExcludesItself = evalSplit.equals(fewshotSplit);
        }
        boolean testExcludesItself = Objects.equals(spec.fewshotSplit(), spec.testSplit());
        List<HarnessDoc> search = render(spec, prompts, searchDocs, searchSplit, searchFewshot, shots, searchExcludesItself, options);
        List<HarnessDoc> test = render(spec, prompts, testDocs, evalSplit, fewshotDocs, shots, testExcludesItself, options);
        return new HarnessTask(spec, search, test, searchSource, testSource, warnings, null);
    }

    private static List<Doc> load(HarnessSpec spec, String split, String evalSplit, List<Doc> evalDocs, Options options) {
        return split.equals(evalSplit) ? evalDocs : LocalDatasets.split(spec, split, options.dataDir());
    }

    private static List<HarnessDoc> render(HarnessSpec spec, HarnessPrompts prompts, List<Doc> docs, String split,
            List<Doc> fewshotPool, int shots, boolean excludeItself, Options options) {
        FewshotSampler sampler = new FewshotSampler(fewshotPool, spec.firstN(), new PyRandom(FEWSHOT_SEED));
        List<HarnessDoc> out = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            Doc doc = docs.get(i);
            List<Doc> examples = shots == 0 ? List.of() : sampler.sample(shots, excludeItself ? doc : null);
            List<HarnessPrompts.Message> messages = prompts.messages(doc, examples);
            String context = options.chatTemplate() == null ? HarnessPrompts.plain(messages)
                    : options.chatTemplate().render(HarnessPrompts.chat(messages, options.fewshotAsMultiturn()), true);
            out.add(build(spec, prompts, doc, split, i, context, options.chatTemplate() != null));
        }
        return out;
    }

    static HarnessDoc build(HarnessSpec spec, HarnessPrompts prompts, Doc doc, String split, int index, String context,
            boolean chat) {
        HarnessSpec.Formatting f = spec.formatting();
        Object target = prompts.target(doc, f);
        return switch (spec.outputType()) {
            case MULTIPLE_CHOICE -> {
                List<String> choices = prompts.choices(doc, f);
                // Under a chat template the answer starts the assistant's turn: no delimiter before it.
                String delimiter = chat ? "" : f.targetDelimiter();
                List<String> conts = choices.stream().map(c -> delimiter + c).toList();
                List<Integer> gold = new ArrayList<>();
                if (target instanceof List<?> l) {
                    for (Object g : l) {
                        gold.add(goldIndex(prompts, doc, g, choices));
                    }
                } else {
                    gold.add(goldIndex(prompts, doc, target, choices));
                }
                yield new HarnessDoc(split, index, doc.file(), doc.line(), context, conts, choices, gold, List.of());
            }
            case GENERATE_UNTIL -> {
                List<String> targets = new ArrayList<>();
                if (f.docToChoice() != null) {
                    List<String> choices = prompts.choices(doc, f);
                    int g = goldIndex(prompts, doc, target, choices);
                    if (g < 0) {
                        throw prompts.rowError("doc_to_target", doc, "target " + PyValues.repr(target) + " is not a choice");
                    }
                    targets.add(choices.get(g));
                } else if (target instanceof List<?> l) {
                    l.forEach(t -> targets.add(PyValues.str(t)));
                } else {
                    targets.add(PyValues.str(target));
                }
                yield new HarnessDoc(split, index, doc.file(), doc.line(), context, List.of(), List.of(), List.of(), targets);
            }
            case LOGLIKELIHOOD, LOGLIKELIHOOD_ROLLING -> {
                if (!(target instanceof String s) || s.isEmpty()) {
                    throw prompts.rowError("doc_to_target", doc, "expected a non-empty text to score, got " + PyValues.repr(target));
                }
                String ctx = spec.outputType() == OutputType.LOGLIKELIHOOD ? context : "";
                yield new HarnessDoc(split, index, doc.file(), doc.line(), ctx, List.of(s), List.of(), List.of(), List.of(s));
            }
        };
    }

    /** lm-evaluation-harness's gold: an index, or a choice's text; -100 when neither names a choice. */
    private static int goldIndex(HarnessPrompts prompts, Doc doc, Object target, List<String> choices) {
        if (target instanceof Number n) {
            return n.intValue() < choices.size() ? n.intValue() : -100;
        }
        if (target instanceof String s) {
            int i = choices.indexOf(s);
            return i >= 0 ? i : -100;
        }
        throw prompts.rowError("doc_to_target", doc, "expected an index or a choice, got " + PyValues.repr(target));
    }
}
