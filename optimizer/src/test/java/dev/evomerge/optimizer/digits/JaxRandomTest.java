package dev.evomerge.optimizer.digits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Against numbers printed by JAX itself (jax.random with jax_threefry_partitionable off, the JAX 0.4 default;
 * computed here with jax 0.10.2 on CPU, 2026-11-24): keys, raw bits, and float32 normals.
 */
class JaxRandomTest {

    private static final JaxRandom.Key[] PAIR = JaxRandom.Key.of(42).split(2);

    @Test
    void splitGivesJaxsKeys() {
        assertEquals(new JaxRandom.Key((int) 2465931498L, (int) 3679230171L), PAIR[0]);
        assertEquals(new JaxRandom.Key(255383827, 267815257), PAIR[1]);
        JaxRandom.Key[] three = JaxRandom.Key.of(7).split(3);
        assertEquals(new JaxRandom.Key(276534068, 861967409), three[0]);
        assertEquals(new JaxRandom.Key(1905761346, 1641862660), three[1]);
        assertEquals(new JaxRandom.Key((int) 2900896126L, 1402713516), three[2]);
    }

    @Test
    void referenceRunStartsMatchJaxs() {
        // natural_niches' CMA-ES mean for run 0: normal(PRNGKey(42), (19210,)) * 0.01; its M2N2 keys for run 1:
        // split(PRNGKey(43), 3).
        float[] mean = JaxRandom.Key.of(42).normal(Mlp.PARAMS);
        double[] expected = {0.0013366177445277572, 0.0013745826436206698, 0.001927450648508966};
        int[] at = {0, 1, Mlp.PARAMS - 1};
        for (int i = 0; i < at.length; i++) {
            assertEquals(expected[i], mean[at[i]] * 0.01f, 1e-6 * Math.abs(expected[i]), "at " + at[i]);
        }
        JaxRandom.Key[] keys = JaxRandom.Key.of(43).split(3);
        assertEquals(new JaxRandom.Key((int) 1215738412L, (int) 2570605312L), keys[1]);
        assertEquals(new JaxRandom.Key((int) 2279917656L, 936330611), keys[2]);
    }

    @Test
    void oddLengthBitsPadTheCounters() {
        assertArrayEquals(new int[] {(int) 3754883976L, 518794995, 6934451, 1768497676, (int) 2692899483L},
                PAIR[0].bits(5));
        assertArrayEquals(new int[] {1245536116, (int) 3554031723L, 984042311, 1211085833, (int) 3735526216L},
                PAIR[1].bits(5));
    }

    @Test
    void normalsMatchJaxToFloatRounding() {
        float[] expected = {-2.1750621795654297f, 0.28727051615715027f, -1.1817606687545776f,
            -0.5149684548377991f, -1.2513413429260254f, 0.5598490834236145f, 0.6974323987960815f};
        float[] got = PAIR[0].normal(7);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 2e-7f * Math.abs(expected[i]), "normal " + i);
        }
    }

    @Test
    void thePaperInitialVectorsMatchJaxs() {
        // jax.random.normal(key, (19210,)) * 0.01 for the two keys of split(PRNGKey(42)): entries at the start,
        // at both sides of the halves' boundary, at the end, and the float64 sum of all.
        int[] at = {0, 1, 2, 9604, 9605, 19209};
        double[][] expected = {
            {-0.0033507985062897205, 0.010188494808971882, 0.0018618141766637564, -0.008341815322637558,
                -0.00726885674521327, -0.0008811975130811334},
            {0.010514723137021065, -0.0006802462157793343, 0.023971885442733765, -0.005339416209608316,
                -0.004264875315129757, 0.011557181365787983}};
        double[] sums = {-0.12999500040098155, 1.9312288720577158};
        for (int k = 0; k < 2; k++) {
            float[] n = PAIR[k].normal(Mlp.PARAMS);
            double sum = 0;
            for (float v : n) {
                sum += v * 0.01f;
            }
            for (int i = 0; i < at.length; i++) {
                assertEquals(expected[k][i], n[at[i]] * 0.01f, 1e-6 * Math.abs(expected[k][i]), "key " + k + " at " + at[i]);
            }
            assertEquals(sums[k], sum, 1e-6);
        }
    }
}
