package dev.evomerge.eval.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Figures printed by CPython 3.11's {@code random.Random(1234)}, the seed of lm-evaluation-harness's sampler. */
class PyRandomTest {

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Test
    void rawOutputMatchesCPythonsMersenneTwisterSeededBy1234() {
        PyRandom r = new PyRandom(1234);
        assertEquals(List.of(4150886329L, 3342196574L, 1892932127L),
                List.of(r.nextUint32(), r.nextUint32(), r.nextUint32()));
    }

    @Test
    void samplesDrawInCPythonsOrderForPoolAndSetAlgorithms() {
        PyRandom r = new PyRandom(1234);
        assertEquals(List.of(7, 1, 0), r.sample(range(10), 3));
        assertEquals(List.of(11, 74, 4, 85, 88, 10), r.sample(range(100), 6));
        assertEquals(List.of(6, 22, 15, 1, 46, 45, 48, 41, 39), r.sample(range(50), 9));
        assertEquals(List.of(495, 630, 474, 152, 93), r.sample(range(1000), 5));
        assertEquals(0.18309064740993164, r.random());
    }
}
