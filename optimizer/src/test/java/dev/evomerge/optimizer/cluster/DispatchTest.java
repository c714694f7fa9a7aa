package dev.evomerge.optimizer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who gets which candidate, with no cluster around it. */
class DispatchTest {

    @Test
    void aFreeWorkerGetsOneCandidateAtATimeInOrder() {
        Dispatch d = new Dispatch();
        d.add(List.of("a", "b", "c"));
        d.ready("w1");
        d.ready("w2");
        assertEquals(List.of(new Dispatch.Assignment("w1", "a"), new Dispatch.Assignment("w2", "b")), d.assign());
        d.ready("w1");   // a repeated "free" while it holds a candidate changes nothing
        assertEquals(List.of(), d.assign());
        assertTrue(d.scored("w1", "a"));
        d.ready("w1");
        assertEquals(List.of(new Dispatch.Assignment("w1", "c")), d.assign());
        assertTrue(d.scored("w2", "b"));
        assertTrue(d.scored("w1", "c"));
        assertTrue(d.done());
    }

    @Test
    void aLostWorkersCandidateGoesToTheFrontForTheNextFreeWorker() {
        Dispatch d = new Dispatch();
        d.add(List.of("a", "b"));
        d.ready("w1");
        d.assign();
        assertEquals(Optional.of("a"), d.lost("w1"));
        d.ready("w2");
        assertEquals(List.of(new Dispatch.Assignment("w2", "a")), d.assign());
        assertEquals(Optional.empty(), d.lost("w9"), "a worker that held nothing gives nothing back");
    }

    @Test
    void aLateDuplicateResultIsIgnored() {
        Dispatch d = new Dispatch();
        d.add(List.of("a"));
        d.ready("w1");
        d.assign();
        d.lost("w1");
        d.ready("w2");
        d.assign();
        assertTrue(d.scored("w1", "a"), "the first answer counts, from whoever it comes");
        assertFalse(d.scored("w2", "a"));
        assertTrue(d.done());
        d.ready("w2");
        assertEquals(List.of(), d.assign(), "nothing left to hand out");
    }

    @Test
    void failuresSendTheCandidateElsewhereAndExcludeAWorkerAfterTwoInARow() {
        Dispatch d = new Dispatch();
        d.add(List.of("a", "b"));
        d.ready("bad");
        d.assign();   // bad <- a
        assertEquals(new Dispatch.FailureOutcome(true, false), d.failed("bad", "a", "no such model"));
        d.ready("bad");
        assertEquals(List.of(new Dispatch.Assignment("bad", "b")), d.assign(), "not given the candidate it failed");
        assertEquals(new Dispatch.FailureOutcome(true, true), d.failed("bad", "b", "no such model"));
        d.ready("bad");
        assertEquals(List.of(), d.assign(), "an excluded worker gets nothing");
        d.ready("good");
        assertEquals(List.of(new Dispatch.Assignment("good", "b")), d.assign(), "the failed ones wait at the front");
    }

    @Test
    void aCandidateEveryAbleWorkerFailedIsUnscorable() {
        Dispatch d = new Dispatch();
        d.add(List.of("a"));
        d.ready("w1");
        d.assign();
        d.failed("w1", "a", "out of memory");
        assertEquals(Optional.empty(), d.unscorable(Set.of("w1", "w2")), "w2 has not tried it");
        var u = d.unscorable(Set.of("w1")).orElseThrow();
        assertEquals("a", u.getKey());
        assertEquals(Map.of("w1", "out of memory"), u.getValue());
        assertEquals(Optional.empty(), d.unscorable(Set.of()), "with no worker at all the search waits instead");
    }
}
