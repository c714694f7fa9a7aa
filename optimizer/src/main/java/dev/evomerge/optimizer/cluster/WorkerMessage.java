package dev.evomerge.optimizer.cluster;

import java.util.List;
import java.util.Objects;

/**
 * What a worker tells the search: it is free, it scored a candidate, or it could not. Every message names the
 * worker by its cluster member id and its address ({@code host:port}, what the history records).
 */
public sealed interface WorkerMessage {

    String workerId();

    String address();

    /** The worker is free and takes the next candidate. {@code seq} tells its announcements apart. */
    record Ready(String workerId, String address, long seq) implements WorkerMessage {
        public Ready {
            Objects.requireNonNull(workerId, "workerId");
            Objects.requireNonNull(address, "address");
        }
    }

    /** The candidate's task results and how long the worker spent on it. */
    record Scored(String workerId, String address, String recipeHash, double seconds, List<TaskScore> tasks)
            implements WorkerMessage {
        public Scored {
            Objects.requireNonNull(workerId, "workerId");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(recipeHash, "recipeHash");
            tasks = List.copyOf(tasks);
        }
    }

    /** The worker could not score the candidate (a path it does not see, out of memory, ...): why, in one line. */
    record Failed(String workerId, String address, String recipeHash, String reason) implements WorkerMessage {
        public Failed {
            Objects.requireNonNull(workerId, "workerId");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(recipeHash, "recipeHash");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
