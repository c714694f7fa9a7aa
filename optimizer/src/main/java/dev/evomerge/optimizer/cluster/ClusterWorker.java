package dev.evomerge.optimizer.cluster;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A worker's loop: say it is free, take one candidate from its inbox, score it, send back the task results (or
 * why it could not), and say it is free again. A candidate whose MAC does not verify is refused and logged, and so
 * is anything in the inbox that is not a string. While idle, it says again that it is free once its last word has
 * been read, so that a search started (or resumed) later finds it.
 *
 * {@snippet :
 * ClusterWorker worker = new ClusterWorker(hz, new PayloadSigner(secret), job -> scorer.score(job), System.err::println);
 * worker.run();   // until stop() or the member shuts down
 * }
 */
public final class ClusterWorker implements Runnable {

    /** Scores one candidate; throws, with a message a user can act on, when it cannot. */
    @FunctionalInterface
    public interface Scoring {
        List<TaskScore> score(CandidateJob job) throws Exception;
    }

    /** The longest wait between two looks at the inbox; an item's arrival ends it sooner. */
    private static final long POLL_MILLIS = 1000;
    private static final long REANNOUNCE_MILLIS = 2000;

    private final HazelcastInstance hz;
    private final PayloadSigner signer;
    private final Scoring scoring;
    private final Consumer<String> log;
    private final String id;
    private final String address;
    private final java.util.concurrent.Semaphore arrivals = new java.util.concurrent.Semaphore(0);
    private volatile boolean running = true;
    private long seq;

    public ClusterWorker(HazelcastInstance hz, PayloadSigner signer, Scoring scoring, Consumer<String> log) {
        this.hz = hz;
        this.signer = signer;
        this.scoring = scoring;
        this.log = log;
        this.id = hz.getCluster().getLocalMember().getUuid().toString();
        this.address = ClusterMember.address(hz.getCluster().getLocalMember());
    }

    /** This worker's {@code host:port}. */
    public String address() {
        return address;
    }

    /** Ends the loop after the current candidate, whose result is still sent. */
    public void stop() {
        running = false;
    }

    @Override
    public void run() {
        IQueue<String> inbox = hz.getQueue(ClusterEvaluator.inbox(id));
        inbox.addItemListener(new ClusterEvaluator.Arrivals(arrivals), false);
        IQueue<String> outbox = hz.getQueue(ClusterEvaluator.OUTBOX);
        String announced = null;
        long announcedAt = 0;
        String unsent = null;
        while (running) {
            try {
                if (unsent != null) {
                    outbox.offer(unsent);   // a result is never dropped for a hiccup of the cluster
                    unsent = null;
                }
                String envelope = take(inbox);
                if (envelope == null) {
                    // Said only right after finding the inbox empty: the search takes a second "free" after the one
                    // it had seen when it handed out a candidate as a sign that the candidate was lost (Dispatch).
                    if (announced == null || (System.nanoTime() - announcedAt > TimeUnit.MILLISECONDS.toNanos(REANNOUNCE_MILLIS)
                            && !outbox.contains(announced))) {
                        announced = seal("", new WorkerMessage.Ready(id, address, seq++));
                        outbox.offer(announced);
                        announcedAt = System.nanoTime();
                    }
                    awaitArrival();
                    continue;
                }
                PayloadSigner.Opened task;
                CandidateJob job;
                try {
                    task = signer.open(envelope);
                    if (!task.kind().equals(WireFormat.TASK)) {
                        throw new PayloadSigner.ForgedPayloadException("it is not a task");
                    }
                    job = WireFormat.job(task.body());
                } catch (PayloadSigner.ForgedPayloadException | IOException e) {
                    log.accept("refused a candidate: " + e.getMessage());
                    continue;
                }
                unsent = seal(task.run(), score(job));
                announced = null;
            } catch (HazelcastInstanceNotActiveException e) {
                return;   // the member was shut down: the worker ends with it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A member leaving moves queues between members; operations fail meanwhile. Wait, then go on.
                log.accept("cluster unavailable for a moment (" + rootMessage(e) + "); retrying");
                announced = null;
                pause();
            }
        }
        sendLast(outbox, unsent);
    }

    /** A candidate finished after {@link #stop} still counts: its result goes out before the worker leaves. */
    private void sendLast(IQueue<String> outbox, String unsent) {
        if (unsent == null) {
            return;
        }
        try {
            outbox.offer(unsent);
        } catch (RuntimeException e) {
            log.accept("could not send the last result (" + rootMessage(e) + "); the search hands its candidate out again");
        }
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Sleeps until the inbox says an item came, or a while (should that event be lost). */
    private void awaitArrival() throws InterruptedException {
        arrivals.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS);
        arrivals.drainPermits();
    }

    /** The inbox's next candidate envelope, or {@code null} when it is empty (or what was in it was refused). */
    private String take(IQueue<String> inbox) {
        try {
            Object item = inbox.poll();   // not a blocking poll: see ClusterEvaluator's receive
            if (item == null) {
                return null;
            }
            if (!(item instanceof String)) {
                log.accept("refused an inbox item that is not a string (" + item.getClass().getName() + ")");
                return null;
            }
            return (String) item;
        } catch (HazelcastSerializationException e) {
            // The serialization filter stops a Java-serialized object here; it is already off the queue.
            log.accept("refused an inbox item: " + rootMessage(e));
            return null;
        }
    }

    private WorkerMessage score(CandidateJob job) {
        String hash = ClusterEvaluator.shortHash(job.recipeHash());
        log.accept("scoring candidate " + hash);
        long t0 = System.nanoTime();
        try {
            List<TaskScore> tasks = scoring.score(job);
            double seconds = (System.nanoTime() - t0) / 1e9;
            log.accept(String.format(java.util.Locale.ROOT, "scored candidate %s in %.2f s", hash, seconds));
            return new WorkerMessage.Scored(id, address, job.recipeHash(), seconds, tasks);
        } catch (Exception | OutOfMemoryError | LinkageError e) {   // a worker reports what it cannot do, and goes on
            String reason = rootMessage(e);
            log.accept("could not score candidate " + hash + ": " + reason);
            return new WorkerMessage.Failed(id, address, job.recipeHash(), reason);
        }
    }

    private String seal(String run, WorkerMessage m) {
        return signer.seal(WireFormat.kind(m), run, WireFormat.message(m));
    }

    static String rootMessage(Throwable e) {
        String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null) {
                m = t.getMessage();
            }
        }
        return m.replace('\n', ' ').strip();
    }
}
