package dev.evomerge.optimizer.digits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DigitsDataTest {
    @Test
    void referenceSplitIs1437TrainAnd360Test() {
        DigitsData d = DigitsData.loadDefault();
        assertEquals(1437, d.trainSize());
        assertEquals(360, d.testSize());
        // The first image of load_digits is a 0, the second a 1.
        assertEquals(0, d.trainY()[0]);
        assertEquals(1, d.trainY()[1]);
        assertTrue(Arrays.stream(d.testY()).allMatch(y -> y >= 0 && y < 10));
        for (float v : d.trainX()) {
            assertTrue(v >= 0 && v <= 16, "pixel " + v);
        }
    }

    @Test
    void seededSplitIsReproducibleAndDiffersFromTheReference(@org.junit.jupiter.api.io.TempDir Path tmp) {
        Path file = locate();
        DigitsData a = DigitsData.load(file, 3);
        DigitsData b = DigitsData.load(file, 3);
        assertArrayEquals(a.trainY(), b.trainY());
        assertEquals(1437, a.trainSize());
        assertNotEquals(Arrays.toString(DigitsData.load(file).trainY()), Arrays.toString(a.trainY()));
    }

    @Test
    void labelSubsetKeepsOnlyThoseDigits() {
        DigitsData low = DigitsData.loadDefault().trainLabelsBetween(0, 4);
        assertTrue(low.trainSize() > 600 && low.trainSize() < 800, "size " + low.trainSize());
        assertTrue(Arrays.stream(low.trainY()).allMatch(y -> y <= 4));
    }

    @Test
    void missingFileSaysHowToGetIt(@org.junit.jupiter.api.io.TempDir Path tmp) {
        var e = assertThrows(IllegalStateException.class, () -> DigitsData.load(tmp.resolve("none.csv.gz")));
        assertTrue(e.getMessage().contains("run scripts/fetch-digits"), e.getMessage());
    }

    static Path locate() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (d.resolve(DigitsData.DEFAULT_PATH).toFile().isFile()) {
                return d.resolve(DigitsData.DEFAULT_PATH);
            }
        }
        throw new IllegalStateException("digits data not found: run scripts/fetch-digits");
    }
}
