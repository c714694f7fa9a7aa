package dev.evomerge.eval.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MetricTest {

    private static Optional<BigDecimal> n(String s) {
        return Optional.of(new BigDecimal(s));
    }

    @Test
    void lastNumberIgnoresASentenceEndingPeriod() {
        assertEquals(n("42"), Metric.lastNumber("the answer is 42."));
    }

    @Test
    void lastNumberKeepsSignAndDecimals() {
        assertEquals(n("-3.5"), Metric.lastNumber("-3.5"));
        assertEquals(n("-3.5"), Metric.lastNumber("it went from 2 to -3.5 degrees"));
    }

    @Test
    void lastNumberDropsThousandsCommas() {
        assertEquals(0, new BigDecimal("1234.5").compareTo(Metric.lastNumber("costs $1,234.50 in total").orElseThrow()));
    }

    @Test
    void lastNumberTakesTheLastOfSeveral() {
        assertEquals(n("18"), Metric.lastNumber("16 - 3 - 4 = 9, 9 * 2 = 18\n#### 18"));
    }

    @Test
    void lastNumberIsEmptyWithoutDigits() {
        assertEquals(Optional.empty(), Metric.lastNumber("no idea, sorry."));
    }

    @Test
    void numberMetricComparesValuesNotSpellings() {
        assertTrue(Metric.NUMBER.matches("so 5 + 2 = 7.0", "#### 7"));
        assertFalse(Metric.NUMBER.matches("so 5 + 2 = 8", "#### 7"));
        assertFalse(Metric.NUMBER.matches("no number", "7"));
    }

    @Test
    void exactMetricTrimsButIsOtherwiseExact() {
        assertTrue(Metric.EXACT.matches("  Paris\n", "Paris"));
        assertFalse(Metric.EXACT.matches("paris", "Paris"));
    }

    @Test
    void cutAtStopCutsBeforeTheEarliestStopString() {
        assertEquals("abc", Metric.cutAtStop("abc\n\nQ: def", List.of("Q:", "\n\n")));
        assertEquals("abc", Metric.cutAtStop("abc", List.of("Q:")));
    }

    @Test
    void defaultMetricsFitTheirTypes() {
        for (TaskType t : TaskType.values()) {
            assertEquals(t, Metric.defaultFor(t).type());
        }
    }
}
