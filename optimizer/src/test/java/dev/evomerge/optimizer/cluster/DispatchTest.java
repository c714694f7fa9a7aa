package dev.evomerge.optimizer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who gets which candidate, with no cluster and no clock around it (times are seconds, passed in). */
class DispatchTest {

    static final long S = 1_000_000_000L;

    static Dispatch dispatch() {
        return new Dispatch(CandidateTimeout.of(Duration.ofSeconds(10)));
    }

    @Test
    void aFreeWorkerGetsOneCandidateAtATimeInOrder() {
        Dispatch d = dispatch();
        d.add(List.of("a", "b", "c"));
        d.ready("w1", 0);
        d.ready("w2", 0);
        assertEquals(List.of(new Dispatch.Assignment("w1", "a"), new Dispatch.Assignment("w2", "b")), d.assign(0));
        d.ready("w1", 1);   // a "free" sent before it took its candidate changes nothing
        assertEquals(List.of(), d.assign(0));
        assertTrue(d.scored("w1", "a", S));
        d.ready("w1", 2);
        assertEquals(List.of(new Dispatch.Assignment("w1", "c")), d.assign(S));
        assertTrue(d.scored("w2", "b", S));
        assertTrue(d.scored("w1", "c", 2 * S));
        assertTrue(d.done());
    }

    @Test
    void aLostWorkersCandidateGoesToTheFrontForTheNextFreeWorker() {
        Dispatch d = dispatch();
        d.add(List.of("a", "b"));
        d.ready("w1", 0);
        d.assign(0);
        assertEquals(Optional.of("a"), d.lost("w1"));
        d.ready("w2", 0);
        assertEquals(List.of(new Dispatch.Assignment("w2", "a")), d.assign(0));
        assertEquals(Optional.empty(), d.lost("w9"), "a worker that held nothing gives nothing back");
    }

    @Test
    void aLateDuplicateResultIsIgnored() {
        Dispatch d = dispatch();
        d.add(List.of("a"));
        d.ready("w1", 0);
        d.assign(0);
        d.lost("w1");
        d.ready("w2", 0);
        d.assign(0);
        assertTrue(d.scored("w1", "a", S), "the first answer counts, from whoever it comes");
        assertFalse(d.scored("w2", "a", S));
        assertTrue(d.done());
        d.ready("w2", 1);
        assertEquals(List.of(), d.assign(S), "nothing left to hand out");
    }

    @Test
    void aCandidateHeldPastTheTimeoutGoesToTheNextFreeWorkerAndTheFirstResultCounts() {
        Dispatch d = dispatch();
        d.add(List.of("a", "b"));
        d.ready("hung", 0);
        d.assign(0);   // hung <- a
        d.ready("w2", 0);
        d.assign(5 * S);   // w2 <- b
        assertEquals(List.of(), d.overdue(10 * S), "not before the timeout");
        assertEquals(List.of(new Dispatch.Overdue("hung", "a", 11 * S)), d.overdue(11 * S));
        assertEquals(List.of(), d.overdue(14 * S), "a lease runs out once");
        assertEquals(1, d.liveLeaseCount(), "only w2's lease still runs");
        assertTrue(d.scored("w2", "b", 12 * S));
        d.ready("w2", 1);
        assertEquals(List.of(new Dispatch.Assignment("w2", "a")), d.assign(12 * S));
        d.ready("hung", 1);
        assertEquals(List.of(), d.assign(12 * S), "the hung worker, still holding a, gets nothing else");
        assertTrue(d.scored("w2", "a", 13 * S));
        assertFalse(d.scored("hung", "a", 40 * S), "its late result is a duplicate");
        assertTrue(d.done());
    }

    @Test
    void aHungWorkersLateResultCountsWhenItComesFirst() {
        Dispatch d = dispatch();
        d.add(List.of("a"));
        d.ready("slow", 0);
        d.assign(0);
        d.overdue(11 * S);
        d.ready("w2", 0);
        d.assign(11 * S);   // w2 <- a as well
        assertEquals(List.of(), d.overdue(15 * S), "the second lease has not run out");
        assertTrue(d.scored("slow", "a", 12 * S));
        assertFalse(d.scored("w2", "a", 13 * S));
        assertTrue(d.done());
    }

    @Test
    void aSecondFreeAfterTheOneSeenAtHandOutMeansTheCandidateWasLost() {
        Dispatch d = dispatch();
        d.add(List.of("a", "b"));
        d.ready("w1", 4);
        d.assign(0);   // w1 <- a
        assertEquals(Optional.empty(), d.ready("w1", 5), "a free it may have sent before it took a");
        assertEquals(List.of(), d.assign(0));
        assertEquals(Optional.of("a"), d.ready("w1", 6), "it looked in its inbox since, and a was not there");
        assertEquals(List.of(new Dispatch.Assignment("w1", "a")), d.assign(0), "back at the front, for a free worker");
    }

    @Test
    void aDerivedTimeoutWaitsForTheFirstScoredCandidate() {
        Dispatch d = new Dispatch(CandidateTimeout.derived());
        d.add(List.of("a", "b", "c"));
        d.ready("w1", 0);
        d.ready("w2", 0);
        d.assign(0);
        assertEquals(List.of(), d.overdue(3600 * S), "nothing scored yet: no timeout");
        assertTrue(d.scored("w2", "b", 3610 * S));
        assertEquals(OptionalLong.of(3 * 3610 * S), d.timeoutNanos());
        assertEquals(List.of(), d.overdue(3 * 3610 * S));
        assertEquals(List.of(new Dispatch.Overdue("w1", "a", 3 * 3610 * S + 1)), d.overdue(3 * 3610 * S + 1));
    }

    @Test
    void theDerivedTimeoutIsThreeTimesTheSlowestCandidateAndAtLeastAMinute() {
        CandidateTimeout t = CandidateTimeout.derived();
        assertEquals(OptionalLong.empty(), t.nanos(0));
        assertEquals(OptionalLong.of(60 * S), t.nanos(5 * S));
        assertEquals(OptionalLong.of(120 * S), t.nanos(40 * S));
        assertEquals(OptionalLong.of(7 * S), CandidateTimeout.of(Duration.ofSeconds(7)).nanos(40 * S));
    }

    @Test
    void failuresSendTheCandidateElsewhereAndExcludeAWorkerAfterTwoInARow() {
        Dispatch d = dispatch();
        d.add(List.of("a", "b"));
        d.ready("bad", 0);
        d.assign(0);   // bad <- a
        assertEquals(new Dispatch.FailureOutcome(true, false), d.failed("bad", "a", "no such model"));
        d.ready("bad", 1);
        assertEquals(List.of(new Dispatch.Assignment("bad", "b")), d.assign(0), "not given the candidate it failed");
        assertEquals(new Dispatch.FailureOutcome(true, true), d.failed("bad", "b", "no such model"));
        d.ready("bad", 2);
        assertEquals(List.of(), d.assign(0), "an excluded worker gets nothing");
        d.ready("good", 0);
        assertEquals(List.of(new Dispatch.Assignment("good", "b")), d.assign(0), "the failed ones wait at the front");
    }

    @Test
    void aCandidateEveryAbleWorkerFailedIsUnscorable() {
        Dispatch d = dispatch();
        d.add(List.of("a"));
        d.ready("w1", 0);
        d.assign(0);
        d.failed("w1", "a", "out of memory");
        assertEquals(Optional.empty(), d.unscorable(Set.of("w1", "w2")), "w2 has not tried it");
        var u = d.unscorable(Set.of("w1")).orElseThrow();
        assertEquals("a", u.getKey());
        assertEquals(Map.of("w1", "out of memory"), u.getValue());
        assertEquals(Optional.empty(), d.unscorable(Set.of()), "with no worker at all the search waits instead");
    }
}
