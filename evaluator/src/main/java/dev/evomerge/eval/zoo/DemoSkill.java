package dev.evomerge.eval.zoo;

import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * The demo zoo's skills, each a small text task a tiny model can learn in minutes. Numbers come in two
 * scripts: digits, and a "second language" that writes digit d as the letter 'a' + d. The demo's story
 * follows Akiba et al. (2024): a math model and a language model merged into one that can do math in
 * the second language.
 *
 * {@snippet :
 * DemoSkill.ADD.sample(rng)          // Example[prompt=37+5=, answer=42]
 * DemoSkill.ADD_LETTERS.sample(rng)  // Example[prompt=dh+f=, answer=ec]
 * DemoSkill.TRANSLIT.sample(rng)     // Example[prompt=t:3745=, answer=dhef]
 * DemoSkill.REVERSE.sample(rng)      // Example[prompt=r:38271=, answer=17283]
 * }
 */
public enum DemoSkill {
    /** A number below 100 plus a digit, in digits: the math expert's skill. */
    ADD("add", "addition (two digits + one) in digits"),
    /** Writing a digit string in the letter script: the language expert's skill. */
    TRANSLIT("translit", "digits written in the letter script"),
    /** Reversing a digit string: the third expert's, unrelated skill. */
    REVERSE("reverse", "a digit string reversed"),
    /** Addition in the letter script: no expert's skill (the cross-skill target). */
    ADD_LETTERS("add_letters", "addition in the letter script"),
    /** Space-separated random words of both scripts: generic text, the base model's diet. */
    TEXT("text", "random words");

    /** The characters of every skill, in vocabulary order after the special tokens. */
    public static final List<String> VOCABULARY = vocabulary();

    private static final String WORD_LETTERS = "abcdefghijklmnopqrstuvwxyz";

    private final String taskName;
    private final String description;

    DemoSkill(String taskName, String description) {
        this.taskName = taskName;
        this.description = description;
    }

    /** One prompt and its answer; the model is trained to write the answer and then a newline. */
    public record Example(String prompt, String answer) {
        public String text() {
            return prompt + answer + "\n";
        }
    }

    public String taskName() {
        return taskName;
    }

    public String description() {
        return description;
    }

    /** A random example; {@link #TEXT} has an empty prompt. */
    public Example sample(RandomGenerator rng) {
        return switch (this) {
            case ADD -> {
                int a = rng.nextInt(100);
                int b = rng.nextInt(10);
                yield new Example(a + "+" + b + "=", Integer.toString(a + b));
            }
            case ADD_LETTERS -> {
                int a = rng.nextInt(100);
                int b = rng.nextInt(10);
                yield new Example(letters(Integer.toString(a)) + "+" + letters(Integer.toString(b)) + "=",
                        letters(Integer.toString(a + b)));
            }
            case TRANSLIT -> {
                String s = digits(rng, 3 + rng.nextInt(3));
                yield new Example("t:" + s + "=", letters(s));
            }
            case REVERSE -> {
                String s = digits(rng, 3 + rng.nextInt(3));
                yield new Example("r:" + s + "=", new StringBuilder(s).reverse().toString());
            }
            case TEXT -> {
                StringBuilder sb = new StringBuilder();
                int words = 2 + rng.nextInt(3);
                for (int w = 0; w < words; w++) {
                    if (w > 0) {
                        sb.append(' ');
                    }
                    int len = 2 + rng.nextInt(3);
                    boolean numeric = rng.nextBoolean();
                    for (int i = 0; i < len; i++) {
                        sb.append(numeric ? (char) ('0' + rng.nextInt(10))
                                : WORD_LETTERS.charAt(rng.nextInt(WORD_LETTERS.length())));
                    }
                }
                yield new Example("", sb.toString());
            }
        };
    }

    /** Digit d written as the letter 'a' + d. */
    static String letters(String digits) {
        StringBuilder sb = new StringBuilder(digits.length());
        for (char c : digits.toCharArray()) {
            sb.append((char) ('a' + (c - '0')));
        }
        return sb.toString();
    }

    private static String digits(RandomGenerator rng, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('0' + rng.nextInt(10)));
        }
        return sb.toString();
    }

    /** Id of {@code </s>}, which pads training rows. */
    static final int EOS = VOCABULARY.indexOf("</s>");

    /**
     * {@code <s>} then one id per character of {@code text}, as the tokenizer written with the zoo encodes it
     * (DemoZooTest checks the two agree).
     */
    static int[] tokens(String text) {
        int[] t = new int[text.length() + 1];
        t[0] = VOCABULARY.indexOf("<s>");
        for (int i = 0; i < text.length(); i++) {
            int id = VOCABULARY.indexOf(String.valueOf(text.charAt(i)));
            if (id < 0) {
                throw new IllegalStateException("character '" + text.charAt(i) + "' is not in the vocabulary");
            }
            t[i + 1] = id;
        }
        return t;
    }

    /** By task name, as task files and reports spell it. */
    public static DemoSkill byTaskName(String name) {
        for (DemoSkill s : values()) {
            if (s.taskName.equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown demo skill '" + name + "'");
    }

    private static List<String> vocabulary() {
        List<String> v = new java.util.ArrayList<>(List.of("<unk>", "<s>", "</s>", " ", "\n", "+", "=", ":"));
        for (char c = '0'; c <= '9'; c++) {
            v.add(String.valueOf(c));
        }
        for (char c = 'a'; c <= 'z'; c++) {
            v.add(String.valueOf(c));
        }
        return List.copyOf(v);
    }
}
