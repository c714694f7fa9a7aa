package dev.evomerge.eval.tokenizer;

import dev.evomerge.checkpoint.CharTokenizers;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTokenizerTest {

    @TempDir
    Path dir;

    private static int id(String c) {
        return CharTokenizers.vocabulary().indexOf(c);
    }

    @Test
    void encodesOneIdPerCharacterAfterBos() {
        try (ModelTokenizer tok = ModelTokenizer.load(CharTokenizers.write(dir))) {
            assertArrayEquals(new int[] {CharTokenizers.BOS, id("a"), id(" "), id("4"), id("2"), id(".")},
                    tok.encode("a 42."));
        }
    }

    @Test
    void encodesWithoutSpecialTokensWhenAsked() {
        try (ModelTokenizer tok = ModelTokenizer.load(CharTokenizers.write(dir))) {
            assertArrayEquals(new int[] {id(" "), id("b")}, tok.encode(" b", false));
        }
    }

    @Test
    void decodeInvertsEncodeAndDropsSpecialTokens() {
        try (ModelTokenizer tok = ModelTokenizer.load(CharTokenizers.write(dir))) {
            String text = "the answer is -3.5\nok";
            assertEquals(text, tok.decode(tok.encode(text)));
            assertEquals("ab", tok.decode(new int[] {CharTokenizers.BOS, id("a"), id("b"), CharTokenizers.EOS}));
        }
    }

    @Test
    void longTextIsNotTruncatedEvenWhenTheConfigNamesAMaxLength() throws Exception {
        CharTokenizers.write(dir);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 16}");
        try (ModelTokenizer tok = ModelTokenizer.load(dir)) {
            String text = "x".repeat(3000);
            assertEquals(3001, tok.encode(text).length);
        }
    }

    @Test
    void loadsFromTheFileItselfToo() {
        CharTokenizers.write(dir);
        try (ModelTokenizer tok = ModelTokenizer.load(dir.resolve("tokenizer.json"))) {
            assertEquals(dir.resolve("tokenizer.json"), tok.file());
        }
    }

    @Test
    void eosIdsComeFromGenerationConfigBeforeConfig() throws Exception {
        CharTokenizers.write(dir);
        Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 2}");
        try (ModelTokenizer tok = ModelTokenizer.load(dir)) {
            assertArrayEquals(new int[] {2}, tok.eosTokenIds());
        }
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [5, 7]}");
        try (ModelTokenizer tok = ModelTokenizer.load(dir)) {
            assertArrayEquals(new int[] {5, 7}, tok.eosTokenIds());
        }
    }

    @Test
    void malformedTokenizerJsonIsAOneLineErrorNamingTheFile() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"NoSuchModel\"}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelTokenizer.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer.json") + ": cannot load tokenizer"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void missingTokenizerJsonIsAnErrorNamingTheFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelTokenizer.load(dir));
        assertEquals(dir.resolve("tokenizer.json") + ": tokenizer file not found", e.getMessage());
    }

    @Test
    void vocabularyFitsTheTestModels() {
        List<String> v = CharTokenizers.vocabulary();
        assertEquals(CharTokenizers.VOCAB, v.size());
        assertEquals(v.size(), v.stream().distinct().count());
    }
}
