package io.aioring.abi.engine;

import io.aioring.abi.spi.Operation;
import io.aioring.linux.Errno;

/**
 * One I/O's count of its page-cache-resident bytes ({@link Operation#residentBytes()}): the count, how it was made
 * ({@link Operation#residentSource()}), and whether it is still to come from the read's watched RWF_NOWAIT attempt.
 */
final class ResidentCount {
    private long bytes = Operation.RESIDENT_UNKNOWN;
    private int source = Operation.RESIDENT_BY_CACHESTAT;
    /** The count is to come from the RWF_NOWAIT attempt, watched for block I/O ({@link #attemptSettled}). */
    private boolean byAttempt;

    void reset() {
        bytes = Operation.RESIDENT_UNKNOWN;
        source = Operation.RESIDENT_BY_CACHESTAT;
        byAttempt = false;
    }

    long bytes() {
        return bytes;
    }

    int source() {
        return source;
    }

    /** @return true while the count is to come from the attempt */
    boolean pending() {
        return byAttempt;
    }

    /** cachestat's count (or RESIDENT_UNKNOWN, RESIDENT_NOT_APPLICABLE); it ends a pending attempt count. */
    void counted(final long resident) {
        byAttempt = false;
        bytes = resident;
        source = Operation.RESIDENT_BY_CACHESTAT;
    }

    /** The count is to come from the read's RWF_NOWAIT attempt, watched ({@link ResidentCounter}). */
    void byAttempt() {
        byAttempt = true;
    }

    /**
     * The attempt ended with {@code noWait}: if the submitting thread started no block I/O meanwhile ({@code clean}),
     * what it copied was resident (all of it, some, or -EAGAIN none); else the count stays unknown and the attribute
     * reads the attempt as such (it may have counted a page its own readahead brought in).
     */
    void attemptSettled(final long noWait, final boolean clean) {
        byAttempt = false;
        if (clean && (noWait >= 0 || noWait == -Errno.EAGAIN)) {
            bytes = Math.max(noWait, 0);
            source = Operation.RESIDENT_BY_ATTEMPT;
        }
    }
}
