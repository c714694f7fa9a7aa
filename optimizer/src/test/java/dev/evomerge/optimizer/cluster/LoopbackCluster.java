package dev.evomerge.optimizer.cluster;

import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** In-process members on loopback for tests: a search member and worker threads, all stopped by {@link #close}. */
final class LoopbackCluster implements AutoCloseable {

    final int port;
    final List<String> members;
    final List<String> log = new CopyOnWriteArrayList<>();
    private final List<HazelcastInstance> instances = new ArrayList<>();
    private final List<ClusterWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    LoopbackCluster() {
        this.port = freePort();
        this.members = List.of("127.0.0.1:" + port);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    HazelcastInstance member(ClusterMember.Role role) {
        HazelcastInstance hz = ClusterMember.start(role, members, new ClusterMember.Bind("127.0.0.1", port),
                ClusterSecret.none());
        instances.add(hz);
        return hz;
    }

    ClusterWorker worker(ClusterSecret secret, ClusterWorker.Scoring scoring, String name) {
        HazelcastInstance hz = ClusterMember.start(ClusterMember.Role.WORKER, members,
                new ClusterMember.Bind("127.0.0.1", port), secret);
        instances.add(hz);
        ClusterWorker w = new ClusterWorker(hz, new PayloadSigner(secret), scoring, line -> log.add(name + ": " + line));
        Thread t = Thread.ofPlatform().daemon().name("worker-" + name).start(w);
        workers.add(w);
        threads.add(t);
        return w;
    }

    HazelcastInstance search() {
        return member(ClusterMember.Role.SEARCH);
    }

    @Override
    public void close() throws InterruptedException {
        workers.forEach(ClusterWorker::stop);
        for (Thread t : threads) {
            t.join(5000);
        }
        instances.forEach(hz -> hz.getLifecycleService().terminate());
    }
}
