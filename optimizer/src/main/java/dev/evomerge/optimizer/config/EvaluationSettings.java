package dev.evomerge.optimizer.config;

/**
 * The {@code evaluation:} section of a search config: how candidates are built for scoring.
 *
 * {@snippet :
 * // evaluation:
 * //   merge_cache_mb: 2048    # merged tensors kept between candidates; 0 turns the cache off
 * //   cluster: {members: [10.0.0.5:5701, 10.0.0.6:5701], secret_file: ~/.evomerge/secret}
 * }
 *
 * @param mergeCacheMb budget, in MiB, of the merged-tensor cache shared by the run's candidates (0: none)
 * @param cluster the workers that score candidates ({@link ClusterSettings#NONE}: this process alone)
 */
public record EvaluationSettings(long mergeCacheMb, ClusterSettings cluster) {

    /** The budget when neither the config nor the command line gives one. */
    public static final long DEFAULT_MERGE_CACHE_MB = 1024;

    public static final EvaluationSettings DEFAULT = new EvaluationSettings(DEFAULT_MERGE_CACHE_MB);

    /** Settings without a cluster. */
    public EvaluationSettings(long mergeCacheMb) {
        this(mergeCacheMb, ClusterSettings.NONE);
    }

    public EvaluationSettings {
        java.util.Objects.requireNonNull(cluster, "cluster");
        if (mergeCacheMb < 0) {
            throw new IllegalArgumentException("evaluation.merge_cache_mb must be >= 0, got " + mergeCacheMb);
        }
    }
}
