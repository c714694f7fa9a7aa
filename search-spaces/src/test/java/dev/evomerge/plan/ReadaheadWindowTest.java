package dev.evomerge.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Shape;
import dev.evomerge.checkpoint.TensorView;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadaheadWindowTest {

    /** One task per entry, each reading two tensors of that many bytes. */
    private static List<List<TensorView>> tasks(Map<MemorySegment, Integer> owner, int... bytes) {
        List<List<TensorView>> tasks = new ArrayList<>();
        for (int t = 0; t < bytes.length; t++) {
            List<TensorView> inputs = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                MemorySegment data = MemorySegment.ofArray(new byte[bytes[t]]);
                owner.put(data, t);
                inputs.add(new TensorView("t" + t + "." + k, DType.F32,
                        Shape.of(bytes[t] / 4), data));
            }
            tasks.add(inputs);
        }
        return tasks;
    }

    @Test
    void eachTaskIsAdvisedOnceInOrderAndBeforeItRunsWithTheBudgetAhead() {
        Map<MemorySegment, Integer> owner = new IdentityHashMap<>();
        // Input bytes per task: 2 x 400, 2 x 40, 2 x 40, 2 x 40, 2 x 400, 2 x 4.
        List<List<TensorView>> tasks = tasks(owner, 400, 40, 40, 40, 400, 4);
        List<Integer> advised = new ArrayList<>();
        ReadaheadWindow window = new ReadaheadWindow(tasks, 150, s -> advised.add(owner.get(s)));
        List<List<Integer>> afterEach = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            window.before(i);
            afterEach.add(List.copyOf(advised));
        }
        // Task 0 ends at 800: tasks starting before 950 (1 at 800, 2 at 880) come along, task 3 (960) not.
        assertEquals(List.of(0, 0, 1, 1, 2, 2), afterEach.get(0));
        // Task 1 ends at 880: task 3 starts at 960 < 1030.
        assertEquals(List.of(0, 0, 1, 1, 2, 2, 3, 3), afterEach.get(1));
        // Task 2 ends at 960: task 4 starts at 1040 < 1110.
        assertEquals(List.of(0, 0, 1, 1, 2, 2, 3, 3, 4, 4), afterEach.get(2));
        assertEquals(afterEach.get(2), afterEach.get(3));
        // Task 4 ends at 1840; task 5 starts there.
        assertEquals(List.of(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5), afterEach.get(4));
        assertEquals(afterEach.get(4), afterEach.get(5));
    }

    @Test
    void aZeroBudgetAdvisesEachTaskJustBeforeItRuns() {
        Map<MemorySegment, Integer> owner = new IdentityHashMap<>();
        List<List<TensorView>> tasks = tasks(owner, 8, 8, 8);
        List<Integer> advised = new ArrayList<>();
        ReadaheadWindow window = new ReadaheadWindow(tasks, 0, s -> advised.add(owner.get(s)));
        for (int i = 0; i < tasks.size(); i++) {
            window.before(i);
            assertEquals(2 * (i + 1), advised.size(), "after task " + i);
        }
    }
}
