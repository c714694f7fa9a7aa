package dev.evomerge.optimizer.cluster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Who scores what: the search's side of the cluster's work, with no networking and no clock in it (times are
 * passed in). Candidates wait in order; a worker that says it is free gets the first candidate it has not already
 * failed on, one at a time, under a lease. A worker that leaves gives its candidate back to the front of the line;
 * one that holds a candidate past the {@link CandidateTimeout} keeps it, and the candidate goes to the front of the
 * line as well, for another free worker; a worker that says it is free while it holds a candidate never got the
 * candidate (or its result was lost), which goes back to the line. A worker that fails
 * {@value #FAILURES_TO_EXCLUDE} candidates in a row gets no more. A candidate is done once any worker scores it
 * (a late duplicate is ignored).
 *
 * {@snippet :
 * Dispatch d = new Dispatch(CandidateTimeout.derived());
 * d.add(List.of("h1", "h2"));
 * d.ready("w1", 0);
 * List<Dispatch.Assignment> a = d.assign(System.nanoTime());   // [w1 <- h1]
 * d.scored("w1", "h1", System.nanoTime());
 * }
 */
final class Dispatch {

    /** Consecutive failures after which a worker gets no more candidates in this run. */
    static final int FAILURES_TO_EXCLUDE = 2;

    /** A candidate handed to a worker. */
    record Assignment(String worker, String candidate) {}

    /** What a failure report led to. */
    record FailureOutcome(boolean counted, boolean workerExcluded) {}

    /**
     * A candidate a worker holds: since when, the number of the worker's last "free" seen when it was handed out,
     * and whether it has outlived the timeout (the candidate has then gone back to the line).
     */
    record Lease(String candidate, long since, long readySeq, boolean overdue) {}

    /** A lease that ran out: who held which candidate, for how long. */
    record Overdue(String worker, String candidate, long heldNanos) {}

    private final CandidateTimeout timeout;
    private final Deque<String> waiting = new ArrayDeque<>();
    private final Set<String> pending = new HashSet<>();
    private final Set<String> idle = new LinkedHashSet<>();
    private final Map<String, Lease> leases = new LinkedHashMap<>();
    private final Map<String, Long> lastReady = new HashMap<>();
    private final Map<String, Integer> failuresInRow = new HashMap<>();
    private final Set<String> excluded = new HashSet<>();
    private final Map<String, Map<String, String>> failures = new HashMap<>();
    private long slowestScoredNanos;

    Dispatch(CandidateTimeout timeout) {
        this.timeout = timeout;
    }

    /** Adds candidates to score, after those already waiting. */
    void add(List<String> candidates) {
        for (String c : candidates) {
            if (pending.add(c)) {
                waiting.addLast(c);
            }
        }
    }

    /**
     * A worker says it is free, in its {@code seq}-th announcement; ignored when it has been excluded. From a worker
     * that holds a candidate, it is either a word sent before the worker took the candidate, or a sign that the
     * candidate (or its result) was lost on the way: a worker announces itself again only once its last word was
     * read, and before each announcement it looks in its inbox; so a second announcement after the one last seen at
     * hand-out time was made when the candidate should have been in that inbox for a while. Then the lease ends and
     * the candidate goes back to the line; that candidate is returned.
     */
    Optional<String> ready(String worker, long seq) {
        long seen = lastReady.merge(worker, seq, Math::max);
        if (excluded.contains(worker)) {
            return Optional.empty();
        }
        Lease lease = leases.get(worker);
        if (lease == null) {
            idle.add(worker);
            return Optional.empty();
        }
        if (seen < lease.readySeq() + 2) {
            return Optional.empty();
        }
        leases.remove(worker);
        idle.add(worker);
        return requeue(lease.candidate()) ? Optional.of(lease.candidate()) : Optional.empty();
    }

    /** Pairs free workers with waiting candidates, in order; a worker is not given a candidate it failed on. */
    List<Assignment> assign(long now) {
        List<Assignment> out = new ArrayList<>();
        for (Iterator<String> workers = idle.iterator(); workers.hasNext() && !waiting.isEmpty(); ) {
            String worker = workers.next();
            for (Iterator<String> it = waiting.iterator(); it.hasNext(); ) {
                String c = it.next();
                if (!failures.getOrDefault(c, Map.of()).containsKey(worker)) {
                    it.remove();
                    workers.remove();
                    leases.put(worker, new Lease(c, now, lastReady.getOrDefault(worker, Long.MIN_VALUE / 2), false));
                    out.add(new Assignment(worker, c));
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Leases that have outlived the timeout by {@code now}: each candidate goes to the front of the line for another
     * free worker, while its worker keeps it (its result still counts if it comes first) and takes no other.
     */
    List<Overdue> overdue(long now) {
        OptionalLong limit = timeout.nanos(slowestScoredNanos);
        if (limit.isEmpty()) {
            return List.of();
        }
        List<Overdue> out = new ArrayList<>();
        for (Map.Entry<String, Lease> e : leases.entrySet()) {
            Lease l = e.getValue();
            long held = now - l.since();
            if (!l.overdue() && held > limit.getAsLong()) {
                e.setValue(new Lease(l.candidate(), l.since(), l.readySeq(), true));
                if (requeue(l.candidate())) {
                    out.add(new Overdue(e.getKey(), l.candidate(), held));
                }
            }
        }
        return out;
    }

    /** The timeout now, in nanoseconds (empty: none yet). */
    OptionalLong timeoutNanos() {
        return timeout.nanos(slowestScoredNanos);
    }

    /** A worker scored a candidate; {@code true} when that answers a pending candidate (not a duplicate). */
    boolean scored(String worker, String candidate, long now) {
        Lease lease = release(worker, candidate);
        failuresInRow.put(worker, 0);
        if (!pending.remove(candidate)) {
            return false;
        }
        if (lease != null) {
            slowestScoredNanos = Math.max(slowestScoredNanos, now - lease.since());
        }
        waiting.remove(candidate);
        return true;
    }

    /** A worker could not score a candidate: it goes back to the front of the line, for another worker. */
    FailureOutcome failed(String worker, String candidate, String reason) {
        boolean held = release(worker, candidate) != null;
        if (!pending.contains(candidate)) {
            return new FailureOutcome(false, false);
        }
        failures.computeIfAbsent(candidate, c -> new LinkedHashMap<>()).put(worker, reason);
        if (held) {
            requeue(candidate);
        }
        int row = failuresInRow.merge(worker, 1, Integer::sum);
        boolean exclude = row >= FAILURES_TO_EXCLUDE && excluded.add(worker);
        if (exclude) {
            idle.remove(worker);
        }
        return new FailureOutcome(true, exclude);
    }

    /** A worker left the cluster: its candidate, if any, goes back to the front of the line. */
    Optional<String> lost(String worker) {
        idle.remove(worker);
        Lease lease = leases.remove(worker);
        return lease != null && requeue(lease.candidate()) ? Optional.of(lease.candidate()) : Optional.empty();
    }

    /**
     * A waiting candidate that every worker still able to take work has failed on, with their reasons; the search
     * cannot go on with it. Empty while some such worker has not tried it, or when no worker is left at all.
     */
    Optional<Map.Entry<String, Map<String, String>>> unscorable(Set<String> liveWorkers) {
        Set<String> able = new HashSet<>(liveWorkers);
        able.removeAll(excluded);
        if (able.isEmpty()) {
            return Optional.empty();
        }
        for (String c : waiting) {
            Map<String, String> f = failures.getOrDefault(c, Map.of());
            if (f.keySet().containsAll(able)) {
                return Optional.of(Map.entry(c, Map.copyOf(f)));
            }
        }
        return Optional.empty();
    }

    /** The workers this dispatch knows of (free or busy). */
    Set<String> known() {
        Set<String> out = new HashSet<>(idle);
        out.addAll(leases.keySet());
        return out;
    }

    boolean isExcluded(String worker) {
        return excluded.contains(worker);
    }

    /** Whether no candidate is left to score. */
    boolean done() {
        return pending.isEmpty();
    }

    /** Candidates held under a lease that has not run out: work that is still expected to come back. */
    int liveLeaseCount() {
        return (int) leases.values().stream().filter(l -> !l.overdue()).count();
    }

    int waitingCount() {
        return waiting.size();
    }

    /** Forgets candidates (when a batch is abandoned); workers keep their state. */
    void clearCandidates() {
        waiting.clear();
        pending.clear();
        failures.clear();
        leases.clear();
    }

    /**
     * Puts a candidate back at the front of the line, unless it is scored, already waiting, or held by a worker
     * whose lease still runs; whether it did.
     */
    private boolean requeue(String candidate) {
        if (!pending.contains(candidate) || waiting.contains(candidate)) {
            return false;
        }
        for (Lease l : leases.values()) {
            if (l.candidate().equals(candidate) && !l.overdue()) {
                return false;
            }
        }
        waiting.addFirst(candidate);
        return true;
    }

    private Lease release(String worker, String candidate) {
        Lease lease = leases.get(worker);
        if (lease != null && lease.candidate().equals(candidate)) {
            return leases.remove(worker);
        }
        return null;
    }
}
