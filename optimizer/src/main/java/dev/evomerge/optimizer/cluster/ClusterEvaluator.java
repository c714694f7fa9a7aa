package dev.evomerge.optimizer.cluster;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The search's side of the cluster: scores a batch of candidates on the cluster's workers and hands back their
 * results in the order asked. Workers pull: each says when it is free ({@link WorkerMessage.Ready}) and is then
 * given one candidate in its own inbox queue; so no worker idles while a candidate waits. Every candidate and
 * every message is sealed with the run's MAC; what does not verify is refused and logged, as is anything that
 * is not a string (a Java-serialized object is stopped by the members' serialization filter). A worker that
 * leaves the cluster gives its candidate back; a worker that cannot score one says why, and the candidate goes to
 * another; a worker that holds one past the {@link CandidateTimeout} keeps it, and it goes to another free worker as
 * well (see {@link Dispatch}). With no worker to score, it waits {@code waitForWorkers} and then gives up with an
 * {@link IllegalStateException}; the run stays resumable.
 *
 * {@snippet :
 * ClusterEvaluator cluster = new ClusterEvaluator(hz, new PayloadSigner(secret), runId, Duration.ofMinutes(5),
 *         CandidateTimeout.derived(), System.err::println);
 * List<ClusterEvaluator.WorkerResult> results = cluster.evaluate(jobs);
 * }
 */
public final class ClusterEvaluator {

    /** Where workers post their messages. */
    static final String OUTBOX = "evomerge.outbox";
    private static final String INBOX_PREFIX = "evomerge.inbox.";
    /** The longest wait between two looks at the outbox; an item's arrival ends it sooner. */
    private static final long POLL_MILLIS = 1000;

    /** One candidate's results, and who scored it in how long. */
    public record WorkerResult(String recipeHash, String worker, double seconds, List<TaskScore> tasks) {}

    private final HazelcastInstance hz;
    private final PayloadSigner signer;
    private final String runId;
    private final Duration waitForWorkers;
    private final Consumer<String> log;
    private final Dispatch dispatch;
    private final Map<String, String> addresses = new HashMap<>();
    private final Set<String> refusedSenders = new HashSet<>();
    private final java.util.concurrent.Semaphore arrivals = new java.util.concurrent.Semaphore(0);
    private WorkerShares shares = new WorkerShares(System.nanoTime());
    private boolean started;
    private long lastHiccupLog = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);

    public ClusterEvaluator(HazelcastInstance hz, PayloadSigner signer, String runId, Duration waitForWorkers,
            CandidateTimeout candidateTimeout, Consumer<String> log) {
        this.hz = hz;
        this.dispatch = new Dispatch(candidateTimeout);
        this.signer = signer;
        this.runId = runId;
        this.waitForWorkers = waitForWorkers;
        this.log = log;
        hz.<String>getQueue(OUTBOX).addItemListener(new Arrivals(arrivals), false);
    }

    /** Wakes a loop sleeping between polls when its queue gets an item (the item itself is not sent along). */
    record Arrivals(java.util.concurrent.Semaphore arrivals) implements com.hazelcast.collection.ItemListener<String> {
        @Override
        public void itemAdded(com.hazelcast.collection.ItemEvent<String> item) {
            arrivals.release();
        }

        @Override
        public void itemRemoved(com.hazelcast.collection.ItemEvent<String> item) {
        }
    }

    /** Inbox queue of one worker (by member id). */
    static String inbox(String workerId) {
        return INBOX_PREFIX + workerId;
    }

    public WorkerShares shares() {
        return shares;
    }

    /** Scores every job on the cluster; one result per job, in the order given. */
    public List<WorkerResult> evaluate(List<CandidateJob> jobs) {
        Map<String, String> sealed = new LinkedHashMap<>();
        for (CandidateJob job : jobs) {
            sealed.put(job.recipeHash(), signer.seal(WireFormat.TASK, runId, WireFormat.job(job)));
        }
        Map<String, WorkerResult> results = new HashMap<>();
        dispatch.add(List.copyOf(sealed.keySet()));
        long lastProgress = System.nanoTime();
        boolean toldWaiting = false;
        try {
            while (!dispatch.done()) {
                Set<String> live = ClusterMember.workerIds(hz);
                for (String w : dispatch.known()) {
                    if (!live.contains(w)) {
                        dispatch.lost(w).ifPresent(c -> log.accept("worker " + addresses.getOrDefault(w, w)
                                + " left the cluster while scoring candidate " + shortHash(c) + "; it goes to another worker"));
                    }
                }
                dispatch.unscorable(live).ifPresent(u -> {
                    StringBuilder why = new StringBuilder();
                    u.getValue().forEach((w, reason) -> why.append("; ").append(addresses.getOrDefault(w, w)).append(": ").append(reason));
                    throw new IllegalStateException("candidate " + shortHash(u.getKey()) + " could not be scored by any worker"
                            + why + " (the run is resumable: fix the workers and run 'evomerge resume')");
                });
                for (Dispatch.Overdue o : dispatch.overdue(System.nanoTime())) {
                    log.accept("worker " + addresses.getOrDefault(o.worker(), o.worker()) + " has held candidate "
                            + shortHash(o.candidate()) + " for " + TimeUnit.NANOSECONDS.toSeconds(o.heldNanos())
                            + " s (timeout " + TimeUnit.NANOSECONDS.toSeconds(dispatch.timeoutNanos().orElse(0))
                            + " s); it goes to the next free worker as well, and the first result counts");
                }
                for (Dispatch.Assignment a : dispatch.assign(System.nanoTime())) {
                    try {
                        if (!hz.<String>getQueue(inbox(a.worker())).offer(sealed.get(a.candidate()))) {
                            dispatch.lost(a.worker());   // a full or unreachable inbox: the candidate goes back
                            continue;
                        }
                    } catch (HazelcastInstanceNotActiveException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        // The queue is moving between members; the worker says it is free again once it can.
                        dispatch.lost(a.worker());
                        hiccup(e);
                        continue;
                    }
                    if (!started) {
                        // Busy fractions count from the first candidate handed out, not from the workers' start-up.
                        shares = new WorkerShares(System.nanoTime());
                        started = true;
                    }
                    lastProgress = System.nanoTime();
                }
                if (dispatch.liveLeaseCount() == 0) {
                    long waited = System.nanoTime() - lastProgress;
                    if (waited > waitForWorkers.toNanos()) {
                        throw new IllegalStateException("no worker took a candidate for " + waitForWorkers.toSeconds()
                                + " s (" + dispatch.waitingCount() + " waiting); the run is resumable: start workers"
                                + " and run 'evomerge resume'");
                    }
                    // a local worker takes several seconds to start its JVM and engine: say nothing before then
                    long quiet = Math.min(TimeUnit.SECONDS.toNanos(QUIET_WAIT_SECONDS), waitForWorkers.toNanos() / 2);
                    if (!toldWaiting && waited > quiet) {
                        log.accept("waiting for workers: none has been free for " + TimeUnit.NANOSECONDS.toSeconds(waited)
                                + " s ("
                                + dispatch.waitingCount() + " candidates waiting; giving up after "
                                + waitForWorkers.toSeconds() + " s)");
                        toldWaiting = true;
                    }
                }
                if (live.isEmpty()) {
                    sleep();   // queues live on workers: with none, there is nothing to read
                    continue;
                }
                WorkerMessage m = receive();
                if (m == null) {
                    continue;
                }
                lastProgress = System.nanoTime();
                toldWaiting = false;
                handle(m, live, sealed.keySet(), results);
            }
        } catch (RuntimeException e) {
            dispatch.clearCandidates();
            throw e;
        }
        return jobs.stream().map(j -> results.get(j.recipeHash())).toList();
    }

    private void handle(WorkerMessage m, Set<String> live, Set<String> asked, Map<String, WorkerResult> results) {
        String w = m.workerId();
        addresses.put(w, m.address());
        switch (m) {
            case WorkerMessage.Ready r -> {
                if (live.contains(w)) {
                    dispatch.ready(w, r.seq()).ifPresent(c -> log.accept("worker " + r.address() + " is free again"
                            + " but candidate " + shortHash(c) + " never reached it, or its result never came back;"
                            + " it goes to another worker"));
                }
            }
            case WorkerMessage.Scored s -> {
                boolean fresh = dispatch.scored(w, s.recipeHash(), System.nanoTime());
                if (fresh && asked.contains(s.recipeHash())) {
                    results.put(s.recipeHash(), new WorkerResult(s.recipeHash(), s.address(), s.seconds(), s.tasks()));
                    shares.scored(s.address(), s.seconds());
                }
            }
            case WorkerMessage.Failed f -> {
                Dispatch.FailureOutcome o = dispatch.failed(w, f.recipeHash(), f.reason());
                if (o.counted()) {
                    log.accept("worker " + f.address() + " could not score candidate " + shortHash(f.recipeHash()) + ": "
                            + f.reason() + "; it goes to another worker");
                }
                if (o.workerExcluded()) {
                    log.accept("worker " + f.address() + " failed " + Dispatch.FAILURES_TO_EXCLUDE
                            + " candidates in a row; it gets no more candidates in this run");
                }
            }
        }
    }

    /** The next verified message, or {@code null} after a short wait (or when what came was refused). */
    private WorkerMessage receive() {
        String envelope;
        try {
            IQueue<String> outbox = hz.getQueue(OUTBOX);
            // Never a blocking poll: one parked on a queue whose partition then migrates (a member left) can wait
            // for a response that never comes (seen with Hazelcast 5.7). The loop polls, and between polls sleeps
            // until the queue says an item came (or a while, should that event be lost).
            Object item = outbox.poll();
            if (item == null) {
                arrivals.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS);
                arrivals.drainPermits();
                return null;
            }
            if (!(item instanceof String s)) {
                log.accept("refused a message that is not a string (" + item.getClass().getName() + ")");
                return null;
            }
            envelope = s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for workers", e);
        } catch (HazelcastSerializationException e) {
            // The serialization filter refuses a Java-serialized object here; the item is already taken off the queue.
            log.accept("refused a message: " + firstLine(e));
            return null;
        } catch (HazelcastInstanceNotActiveException e) {
            throw e;
        } catch (RuntimeException e) {
            hiccup(e);
            sleep();
            return null;
        }
        PayloadSigner.Opened opened;
        try {
            opened = signer.open(envelope);
        } catch (PayloadSigner.ForgedPayloadException e) {
            String claimed = claimedSender(envelope);
            if (refusedSenders.add(claimed)) {
                log.accept("refused a message claiming to come from " + claimed + ": " + e.getMessage());
            }
            return null;
        }
        if (!opened.run().isEmpty() && !opened.run().equals(runId)) {
            return null;   // a result for another run (one that shared these workers before)
        }
        try {
            return WireFormat.message(opened.kind(), opened.body());
        } catch (IOException e) {
            log.accept("refused a signed message that does not parse: " + e.getMessage());
            return null;
        }
    }

    /** A cluster operation failed while members come or go: logged once a while, then retried. */
    private void hiccup(RuntimeException e) {
        long now = System.nanoTime();
        if (now - lastHiccupLog > TimeUnit.SECONDS.toNanos(10)) {
            log.accept("cluster unavailable for a moment (" + firstLine(e) + "); retrying");
            lastHiccupLog = now;
        }
    }

    private static String claimedSender(String envelope) {
        try {
            var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(envelope);
            var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(n.path("body").asText("{}"));
            return body.path("address").asText("an unknown member");
        } catch (IOException | RuntimeException e) {
            return "an unknown member";
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for workers", e);
        }
    }

    /** How long the search waits for a free worker before it says that it is waiting (at most half the limit). */
    static final int QUIET_WAIT_SECONDS = 20;

    static String shortHash(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) : hash;
    }

    private static String firstLine(Throwable e) {
        Throwable t = e;
        String m = String.valueOf(t.getMessage());
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) {
                m = t.getMessage();
            }
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
