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
import java.util.Set;

/**
 * Who scores what: the search's side of the cluster's work, with no networking in it. Candidates wait in order;
 * a worker that says it is free gets the first candidate it has not already failed on, one at a time; a worker
 * that leaves gives its candidate back to the front of the line; a worker that fails {@value #FAILURES_TO_EXCLUDE}
 * candidates in a row gets no more. A candidate is done once any worker scores it (a late duplicate is ignored).
 *
 * {@snippet :
 * Dispatch d = new Dispatch();
 * d.add(List.of("h1", "h2"));
 * d.ready("w1");
 * List<Dispatch.Assignment> a = d.assign();   // [w1 <- h1]
 * d.scored("w1", "h1");
 * }
 */
final class Dispatch {

    /** Consecutive failures after which a worker gets no more candidates in this run. */
    static final int FAILURES_TO_EXCLUDE = 2;

    /** A candidate handed to a worker. */
    record Assignment(String worker, String candidate) {}

    /** What a failure report led to. */
    record FailureOutcome(boolean counted, boolean workerExcluded) {}

    private final Deque<String> waiting = new ArrayDeque<>();
    private final Set<String> pending = new HashSet<>();
    private final Set<String> idle = new LinkedHashSet<>();
    private final Map<String, String> inFlight = new LinkedHashMap<>();
    private final Map<String, Integer> failuresInRow = new HashMap<>();
    private final Set<String> excluded = new HashSet<>();
    private final Map<String, Map<String, String>> failures = new HashMap<>();

    /** Adds candidates to score, after those already waiting. */
    void add(List<String> candidates) {
        for (String c : candidates) {
            if (pending.add(c)) {
                waiting.addLast(c);
            }
        }
    }

    /** A worker says it is free; ignored while it holds a candidate, or when it has been excluded. */
    void ready(String worker) {
        if (!excluded.contains(worker) && !inFlight.containsKey(worker)) {
            idle.add(worker);
        }
    }

    /** Pairs free workers with waiting candidates, in order; a worker is not given a candidate it failed on. */
    List<Assignment> assign() {
        List<Assignment> out = new ArrayList<>();
        for (Iterator<String> workers = idle.iterator(); workers.hasNext() && !waiting.isEmpty(); ) {
            String worker = workers.next();
            for (Iterator<String> it = waiting.iterator(); it.hasNext(); ) {
                String c = it.next();
                if (!failures.getOrDefault(c, Map.of()).containsKey(worker)) {
                    it.remove();
                    workers.remove();
                    inFlight.put(worker, c);
                    out.add(new Assignment(worker, c));
                    break;
                }
            }
        }
        return out;
    }

    /** A worker scored a candidate; {@code true} when that answers a pending candidate (not a duplicate). */
    boolean scored(String worker, String candidate) {
        release(worker, candidate);
        failuresInRow.put(worker, 0);
        if (!pending.remove(candidate)) {
            return false;
        }
        waiting.remove(candidate);
        return true;
    }

    /** A worker could not score a candidate: it goes back to the front of the line, for another worker. */
    FailureOutcome failed(String worker, String candidate, String reason) {
        boolean held = release(worker, candidate);
        if (!pending.contains(candidate)) {
            return new FailureOutcome(false, false);
        }
        failures.computeIfAbsent(candidate, c -> new LinkedHashMap<>()).put(worker, reason);
        if (held && !waiting.contains(candidate)) {
            waiting.addFirst(candidate);
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
        String c = inFlight.remove(worker);
        if (c != null && pending.contains(c) && !waiting.contains(c)) {
            waiting.addFirst(c);
            return Optional.of(c);
        }
        return Optional.empty();
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
        out.addAll(inFlight.keySet());
        return out;
    }

    boolean isExcluded(String worker) {
        return excluded.contains(worker);
    }

    /** Whether no candidate is left to score. */
    boolean done() {
        return pending.isEmpty();
    }

    int inFlightCount() {
        return inFlight.size();
    }

    int waitingCount() {
        return waiting.size();
    }

    /** Forgets candidates (when a batch is abandoned); workers keep their state. */
    void clearCandidates() {
        waiting.clear();
        pending.clear();
        failures.clear();
        inFlight.clear();
    }

    private boolean release(String worker, String candidate) {
        if (candidate.equals(inFlight.get(worker))) {
            inFlight.remove(worker);
            return true;
        }
        return false;
    }
}
