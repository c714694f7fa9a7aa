package dev.evomerge.optimizer.cluster;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How long a worker may hold a candidate before the candidate is handed to another free worker as well (the first
 * result to come back counts; scores are deterministic, so which one does not matter). Given by the user, or
 * derived: {@value #FACTOR} times the slowest candidate scored so far, and never under {@link #FLOOR}. A derived
 * timeout starts with the first scored candidate: until then nothing says how long one takes (a first candidate also
 * loads its models), and a lease that ran out too early would have every candidate scored twice.
 *
 * {@snippet :
 * CandidateTimeout t = CandidateTimeout.derived();
 * t.nanos(0);                                  // empty: nothing scored yet
 * t.nanos(Duration.ofSeconds(40).toNanos());   // 120 s
 * }
 *
 * @param fixed the user's timeout, or {@code null} to derive it
 */
public record CandidateTimeout(Duration fixed) {

    /** The shortest derived timeout, in seconds: fast candidates vary more, relatively, than slow ones. */
    public static final long FLOOR_SECONDS = 60;
    /** The shortest derived timeout. */
    public static final Duration FLOOR = Duration.ofSeconds(FLOOR_SECONDS);
    /** How many times the slowest scored candidate a derived timeout waits. */
    public static final int FACTOR = 3;

    public CandidateTimeout {
        if (fixed != null && (fixed.isNegative() || fixed.isZero())) {
            throw new IllegalArgumentException("a candidate timeout must be positive, got " + fixed);
        }
    }

    /** A timeout from the candidates' observed times. */
    public static CandidateTimeout derived() {
        return new CandidateTimeout(null);
    }

    /** Always {@code timeout}. */
    public static CandidateTimeout of(Duration timeout) {
        return new CandidateTimeout(Objects.requireNonNull(timeout, "timeout"));
    }

    /** The timeout in nanoseconds, given the slowest candidate scored so far (0: none yet); empty: no timeout yet. */
    OptionalLong nanos(long slowestScoredNanos) {
        if (fixed != null) {
            return OptionalLong.of(fixed.toNanos());
        }
        if (slowestScoredNanos <= 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(FLOOR.toNanos(), FACTOR * slowestScoredNanos));
    }
}
