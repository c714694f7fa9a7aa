package dev.evomerge.optimizer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The search's evaluator and workers as embedded members on loopback, with a stand-in for the model scoring. */
@Timeout(120)
class ClusterEvaluatorTest {

    static final ClusterSecret SECRET = ClusterSecret.of("a test secret of enough length");

    /** Scores a candidate as a function of its hash, so any worker gives the same answer. */
    static List<TaskScore> fakeScore(CandidateJob job) throws InterruptedException {
        Thread.sleep(30);
        double x = (job.recipeHash().hashCode() & 0xffff) / 65536.0;
        return List.of(new TaskScore("t", x, new double[] {x, 1 - x}));
    }

    static List<CandidateJob> jobs(int n, String prefix) {
        List<CandidateJob> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new CandidateJob(prefix + i, "merge_method: linear\n", Map.of(), List.of("t.yaml"), 0, "/tmp"));
        }
        return out;
    }

    static ClusterEvaluator evaluator(HazelcastInstance hz, List<String> log, Duration wait) {
        return evaluator(hz, log, wait, CandidateTimeout.derived());
    }

    static ClusterEvaluator evaluator(HazelcastInstance hz, List<String> log, Duration wait, CandidateTimeout timeout) {
        return new ClusterEvaluator(hz, new PayloadSigner(SECRET), "run-1", wait, timeout,
                line -> log.add(line));
    }

    /** Waits (a bounded while) until the search's outbox holds {@code n} messages: the workers have said they are free. */
    static void awaitOutbox(HazelcastInstance hz, int n) throws InterruptedException {
        var outbox = hz.getQueue(ClusterEvaluator.OUTBOX);
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (outbox.size() < n && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(n, outbox.size(), "the workers announced themselves");
    }

    @Test
    @Timeout(60)
    void aCandidateHeldByAHungWorkerPastTheTimeoutIsScoredByAnother() throws Exception {
        CountDownLatch end = new CountDownLatch(1);
        try (LoopbackCluster c = new LoopbackCluster(); AutoCloseable release = end::countDown) {
            ClusterWorker hung = c.worker(SECRET, job -> {
                end.await();   // alive and in the cluster, never answering
                return fakeScore(job);
            }, "hung");
            HazelcastInstance search = c.search();
            awaitOutbox(search, 1);
            ClusterWorker good = c.worker(SECRET, ClusterEvaluatorTest::fakeScore, "good");
            awaitOutbox(search, 2);
            List<String> log = new CopyOnWriteArrayList<>();
            List<CandidateJob> jobs = jobs(6, "h");
            var results = evaluator(search, log, Duration.ofSeconds(30), CandidateTimeout.of(Duration.ofSeconds(1)))
                    .evaluate(jobs);
            for (int i = 0; i < jobs.size(); i++) {
                assertEquals(fakeScore(jobs.get(i)).getFirst().score(), results.get(i).tasks().getFirst().score());
            }
            assertEquals(Set.of(good.address()), results.stream().map(r -> r.worker()).collect(Collectors.toSet()));
            assertTrue(log.stream().anyMatch(l -> l.startsWith("worker " + hung.address() + " has held candidate h0 for 1 s"
                    + " (timeout 1 s); it goes to the next free worker as well")), log.toString());
        }
    }

    @Test
    @Timeout(60)
    void aWorkerStoppedWhileScoringStillSendsThatResult() throws Exception {
        try (LoopbackCluster c = new LoopbackCluster()) {
            java.util.concurrent.atomic.AtomicReference<ClusterWorker> self = new java.util.concurrent.atomic.AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            self.set(c.worker(SECRET, job -> {
                started.await();
                self.get().stop();   // as Ctrl-C does, in the middle of the candidate
                return fakeScore(job);
            }, "stopping"));
            started.countDown();
            List<String> log = new CopyOnWriteArrayList<>();
            var results = evaluator(c.search(), log, Duration.ofSeconds(20)).evaluate(jobs(1, "h"));
            assertEquals(self.get().address(), results.getFirst().worker());
        }
    }

    @Test
    @Timeout(60)
    void aCandidateLostOnTheWayToAWorkerGoesBackWhenTheWorkerSaysItIsFreeAgain() throws Exception {
        try (LoopbackCluster c = new LoopbackCluster()) {
            HazelcastInstance search = c.search();
            HazelcastInstance member = c.member(ClusterMember.Role.WORKER);
            String id = member.getCluster().getLocalMember().getUuid().toString();
            String address = ClusterMember.address(member.getCluster().getLocalMember());
            // The worker's first "free", said before its loop runs, so that the candidate can be lost first.
            PayloadSigner signer = new PayloadSigner(SECRET);
            search.<String>getQueue(ClusterEvaluator.OUTBOX).offer(signer.seal(WireFormat.READY, "",
                    WireFormat.message(new WorkerMessage.Ready(id, address, 0))));
            List<String> log = new CopyOnWriteArrayList<>();
            // A timeout far beyond the test's: only the worker's word can bring the candidate back.
            ClusterEvaluator e = evaluator(search, log, Duration.ofSeconds(60), CandidateTimeout.of(Duration.ofHours(1)));
            var results = java.util.concurrent.CompletableFuture.supplyAsync(() -> e.evaluate(jobs(2, "h")));
            var inbox = member.<String>getQueue(ClusterEvaluator.inbox(id));
            assertTrue(inbox.poll(20, java.util.concurrent.TimeUnit.SECONDS) != null, "the candidate was handed out");
            // ... and is lost: the worker's loop starts with an empty inbox.
            ClusterWorker worker = new ClusterWorker(member, signer, ClusterEvaluatorTest::fakeScore, c.log::add);
            Thread loop = Thread.ofPlatform().daemon().name("worker-late").start(worker);
            try {
                var scored = results.get(40, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(List.of("h0", "h1"), scored.stream().map(r -> r.recipeHash()).toList());
                assertTrue(log.stream().anyMatch(l -> l.equals("worker " + address + " is free again but candidate h0"
                        + " never reached it, or its result never came back; it goes to another worker")), log.toString());
            } finally {
                worker.stop();
                loop.join(5000);
            }
        }
    }

    @Test
    void twoWorkersShareTheCandidatesAndResultsComeBackInOrder() throws Exception {
        try (LoopbackCluster c = new LoopbackCluster()) {
            c.worker(SECRET, ClusterEvaluatorTest::fakeScore, "a");
            c.worker(SECRET, ClusterEvaluatorTest::fakeScore, "b");
            List<String> log = new ArrayList<>();
            ClusterEvaluator e = evaluator(c.search(), log, Duration.ofSeconds(30));
            List<CandidateJob> jobs = jobs(12, "h");
            var results = e.evaluate(jobs);
            assertEquals(12, results.size());
            for (int i = 0; i < jobs.size(); i++) {
                assertEquals(jobs.get(i).recipeHash(), results.get(i).recipeHash());
                assertEquals(fakeScore(jobs.get(i)).getFirst().score(), results.get(i).tasks().getFirst().score());
            }
            Map<String, Long> byWorker = results.stream().collect(Collectors.groupingBy(r -> r.worker(), Collectors.counting()));
            assertEquals(2, byWorker.size(), "both workers took candidates: " + byWorker);
            assertTrue(byWorker.values().stream().allMatch(n -> n >= 3), byWorker.toString());
            var second = e.evaluate(jobs(4, "g"));
            assertEquals(4, second.size(), "a second batch on the same workers");
            assertTrue(e.shares().closeWindow(System.nanoTime()).startsWith("workers: 127.0.0.1:"));
        }
    }

    @Test
    void aWorkerWithAnotherSecretGetsNoCandidateAndAForgedResultIsRefused() throws Exception {
        try (LoopbackCluster c = new LoopbackCluster()) {
            AtomicInteger wrongCalls = new AtomicInteger();
            ClusterSecret wrong = ClusterSecret.of("another secret, also long enough");
            ClusterWorker intruder = c.worker(wrong, job -> {
                wrongCalls.incrementAndGet();
                return List.of(new TaskScore("t", 99, new double[] {99}));
            }, "intruder");
            HazelcastInstance search = c.search();
            // A forged result for a candidate about to be asked, signed with the wrong secret, already waiting.
            PayloadSigner forger = new PayloadSigner(wrong);
            search.<String>getQueue(ClusterEvaluator.OUTBOX).offer(forger.seal(WireFormat.SCORED, "run-1",
                    WireFormat.message(new WorkerMessage.Scored("x", intruder.address(), "h0", 1, List.of(
                            new TaskScore("t", 99, new double[] {99}))))));
            ClusterWorker honest = c.worker(SECRET, ClusterEvaluatorTest::fakeScore, "honest");
            List<String> log = new ArrayList<>();
            var results = evaluator(search, log, Duration.ofSeconds(30)).evaluate(jobs(6, "h"));
            assertTrue(results.stream().allMatch(r -> r.worker().equals(honest.address())), results.toString());
            assertTrue(results.stream().noneMatch(r -> r.tasks().getFirst().score() == 99), "no forged score got in");
            assertEquals(0, wrongCalls.get(), "the intruder was given no candidate");
            assertTrue(log.stream().anyMatch(l -> l.startsWith("refused a message claiming to come from " + intruder.address()
                    + ": its MAC does not verify")), log.toString());
        }
    }

    /** What a foreign member might offer: deserializing it would run its readObject. */
    record Gadget(String payload) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean RAN = new AtomicBoolean();

        @Serial
        private Object readResolve() {
            RAN.set(true);
            return this;
        }
    }

    @Test
    void aJavaSerializedObjectFromAForeignMemberIsRefusedAndNeverDeserialized() throws Exception {
        try (LoopbackCluster c = new LoopbackCluster()) {
            ClusterWorker honest = c.worker(SECRET, ClusterEvaluatorTest::fakeScore, "honest");
            HazelcastInstance foreign = c.member(ClusterMember.Role.SEARCH);
            foreign.getQueue(ClusterEvaluator.OUTBOX).offer(new Gadget("to the search"));
            String workerId = foreign.getCluster().getMembers().stream()
                    .filter(m -> ClusterMember.address(m).equals(honest.address())).findFirst().orElseThrow().getUuid().toString();
            foreign.getQueue(ClusterEvaluator.inbox(workerId)).offer(new Gadget("to the worker"));
            List<String> log = new ArrayList<>();
            var results = evaluator(c.search(), log, Duration.ofSeconds(30)).evaluate(jobs(3, "h"));
            assertEquals(3, results.size());
            assertFalse(Gadget.RAN.get(), "the object was never deserialized");
            assertTrue(log.stream().anyMatch(l -> l.contains("refused a message") && l.contains(Gadget.class.getName())
                    && l.contains("not allowed")), log.toString());
            assertTrue(c.log.stream().anyMatch(l -> l.startsWith("honest: refused an inbox item")
                    && l.contains(Gadget.class.getName())), c.log.toString());
        }
    }

    @Test
    void aWorkerThatCannotScoreIsLoggedExcludedAndTheOthersFinish() throws Exception {
        try (LoopbackCluster c = new LoopbackCluster()) {
            AtomicInteger brokenCalls = new AtomicInteger();
            ClusterWorker broken = c.worker(SECRET, job -> {
                brokenCalls.incrementAndGet();
                throw new IllegalArgumentException("/models/ft1: model folder not found");
            }, "broken");
            HazelcastInstance search = c.search();
            List<String> log = new ArrayList<>();
            ClusterEvaluator e = evaluator(search, log, Duration.ofSeconds(30));
            ClusterWorker good = c.worker(SECRET, ClusterEvaluatorTest::fakeScore, "good");
            var results = e.evaluate(jobs(8, "h"));
            assertEquals(Set.of(good.address()), results.stream().map(r -> r.worker()).collect(Collectors.toSet()));
            assertTrue(log.stream().anyMatch(l -> l.startsWith("worker " + broken.address() + " could not score candidate")
                    && l.endsWith("/models/ft1: model folder not found; it goes to another worker")), log.toString());
            assertTrue(brokenCalls.get() <= Dispatch.FAILURES_TO_EXCLUDE, "excluded after repeated failures: " + brokenCalls);
        }
    }

    @Test
    void withNoWorkerTheSearchWaitsThenGivesUpClearly() throws Exception {
        try (LoopbackCluster c = new LoopbackCluster()) {
            List<String> log = new ArrayList<>();
            ClusterEvaluator e = evaluator(c.search(), log, Duration.ofSeconds(3));
            IllegalStateException x = assertThrows(IllegalStateException.class, () -> e.evaluate(jobs(2, "h")));
            assertTrue(x.getMessage().startsWith("no worker took a candidate for 3 s (2 waiting)"), x.getMessage());
            assertTrue(log.stream().anyMatch(l -> l.startsWith("waiting for workers")), log.toString());
        }
    }
}
