package io.aioring.abi.engine;

import io.aioring.abi.spi.Operation;

/**
 * How a backend issued an iocb, per slot (made with the pool at setup: nothing per I/O): whether it tried
 * RWF_NOWAIT first and what that gave, which io_uring batch it went out in, whether the threads backend started it
 * on the submitting thread or holds it waiting for readiness.
 */
final class IssueMarks {
    /** The engine added RWF_NOWAIT to its io_uring request: -EAGAIN means "re-issue without it". */
    private boolean noWaitIssued;
    /** An attribute asked for the first attempt to be made with RWF_NOWAIT, and to see its result. */
    private boolean noWaitWanted;
    private long noWaitResult = Operation.NO_ATTEMPT;
    /** The bytes a read asked for, noted when its RWF_NOWAIT attempt was prepared. */
    private long requestedBytes;
    /** The threads backend started it on the submitting thread (before hooks run, RWF_NOWAIT tried). */
    private boolean startedInline;
    /** The io_uring submit batch it went out in (0: none). */
    private long batch;
    /** The threads backend's readiness thread holds it, waiting for its fd: a cancel can stop it there. */
    private volatile boolean waitingReadiness;
    /** Its result, held until the kernel's notification (a NOTIFICATION completion); NO_RESULT when none is held. */
    private long heldResult = NO_RESULT;
    static final long NO_RESULT = Long.MIN_VALUE;

    /** A new iocb in the slot. */
    void reset() {
        noWaitIssued = false;
        noWaitWanted = false;
        noWaitResult = Operation.NO_ATTEMPT;
        requestedBytes = 0;
        startedInline = false;
        batch = 0;
        waitingReadiness = false;
        heldResult = NO_RESULT;
    }

    long heldResult() {
        return heldResult;
    }

    void heldResult(final long result) {
        heldResult = result;
    }

    boolean noWaitIssued() {
        return noWaitIssued;
    }

    void noWaitIssued(final boolean issued) {
        noWaitIssued = issued;
    }

    boolean noWaitWanted() {
        return noWaitWanted;
    }

    void noWaitWanted(final boolean wanted) {
        noWaitWanted = wanted;
    }

    long noWaitResult() {
        return noWaitResult;
    }

    void noWaitResult(final long result) {
        noWaitResult = result;
    }

    long requestedBytes() {
        return requestedBytes;
    }

    void requestedBytes(final long bytes) {
        requestedBytes = bytes;
    }

    boolean startedInline() {
        return startedInline;
    }

    void startedInline(final boolean started) {
        startedInline = started;
    }

    long batch() {
        return batch;
    }

    void batch(final long id) {
        batch = id;
    }

    boolean waitingReadiness() {
        return waitingReadiness;
    }

    void waitingReadiness(final boolean waiting) {
        waitingReadiness = waiting;
    }
}
