package dev.evomerge.cli;

import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.optimizer.cluster.ClusterMember;
import dev.evomerge.optimizer.cluster.ClusterSecret;
import dev.evomerge.optimizer.cluster.ClusterWorker;
import dev.evomerge.optimizer.cluster.PayloadSigner;
import java.util.List;

/**
 * A worker process for {@link ClusterSearchTest} whose every candidate takes at least a given time, so that the
 * test can kill it while it is surely scoring one. Arguments: members, bind address, milliseconds per candidate.
 * Its log goes to stdout, one line at a time.
 */
public final class SlowWorker {
    public static void main(String[] args) {
        var hz = ClusterMember.start(ClusterMember.Role.WORKER, List.of(args[0]), ClusterMember.Bind.parse(args[1], "bind"),
                ClusterSecret.none());
        long delay = Long.parseLong(args[2]);
        try (WorkerScoring scoring = new WorkerScoring(ComputeDevice.CPU, 64, null)) {
            ClusterWorker worker = new ClusterWorker(hz, new PayloadSigner(ClusterSecret.none()), job -> {
                Thread.sleep(delay);
                return scoring.score(job);
            }, line -> {
                System.out.println(line);
                System.out.flush();
            });
            System.out.println("ready at " + worker.address());
            System.out.flush();
            worker.run();
        }
    }
}
