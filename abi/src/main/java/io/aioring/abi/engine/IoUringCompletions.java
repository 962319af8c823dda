package io.aioring.abi.engine;

import java.util.concurrent.atomic.AtomicInteger;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.spi.Operation;
import io.aioring.linux.Errno;
import io.aioring.linux.IoUring;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The io_uring backend's CQE handling, the same for every opcode: a CQE names its iocb by slot and incarnation
 * (a late one for an earlier iocb of the slot is dropped); what follows depends on the opcode's completion kind
 * ({@link OpDef.Completion}) — one event, an event per CQE of a multishot request, or a result held until its
 * notification. A read or write tried with RWF_NOWAIT that would block, and a request the kernel cancelled when its
 * submitting thread exited, are handed to the completer to issue again. Used under the backend's ring lock.
 */
final class IoUringCompletions implements IoUring.CqeHandler {
    /** The user data of the engine's own cancel requests: no slot has it. */
    static final long CANCEL_USER_DATA = Long.MIN_VALUE;

    private final Submissions submissions;
    private final CompletionPoster poster;
    private final AtomicInteger inKernel;
    /** What the completer is to issue again. */
    private final ManyToOneConcurrentArrayQueue<InFlight> handOff;
    private volatile boolean stopping;
    /** The submit batch whose submit call is reaping now (-1: none). */
    private long reapingBatch = -1;
    /** Requests of the reaping batch that completed inside its submit call. */
    private int completedInBatch;
    /** Something was handed to the completer since {@link #takeHandedOver}. */
    private boolean handedOver;
    /** The reaping batch's RWF_NOWAIT attempts ran while its thread started no block I/O ({@link #attemptsWatched}). */
    private boolean attemptsClean;
    /** A read counted by its attempt found a page not cached, or its attempt was not watched, since {@link #takeUnsure}. */
    private boolean attemptUnsure;

    /** @param handOff the completer's queue */
    IoUringCompletions(final Submissions submissions, final CompletionPoster poster, final AtomicInteger inKernel,
                       final ManyToOneConcurrentArrayQueue<InFlight> handOff) {
        this.submissions = submissions;
        this.poster = poster;
        this.inKernel = inKernel;
        this.handOff = handOff;
    }

    /** The backend stops: what the kernel cancels now is not issued again. */
    void stop() {
        stopping = true;
    }

    /** @return true once the backend stops */
    boolean stopping() {
        return stopping;
    }

    /** A submit call starts reaping its batch: what completes now completed inside the call. */
    void reaping(final long batch) {
        reapingBatch = batch;
        completedInBatch = 0;
        attemptsClean = false;
    }

    /**
     * Under the ring lock, after the reaping batch's enter and before its reap: whether its thread's block input stayed
     * where it was across the enter, so that its reads counted by their attempts brought no page in themselves.
     */
    void attemptsWatched(final boolean clean) {
        attemptsClean = clean;
    }

    /** @return true if a read counted by its attempt was unsure since the last call (its thread counts by cachestat again) */
    boolean takeUnsure() {
        final boolean unsure = attemptUnsure;
        attemptUnsure = false;
        return unsure;
    }

    /** @return how many of the batch completed inside its submit call; the batch is no longer reaping */
    int reapingDone() {
        reapingBatch = -1;
        return completedInBatch;
    }

    /** Hands {@code op} to the completer (woken once the ring lock is released). */
    void handOver(final InFlight op) {
        handOff.offer(op);
        handedOver = true;
    }

    /** @return true if something was handed to the completer since the last call */
    boolean takeHandedOver() {
        final boolean was = handedOver;
        handedOver = false;
        return was;
    }

    @Override
    public void onCqe(final long userData, final int result, final int flags) {
        if (userData == CANCEL_USER_DATA) {
            return; // a cancel's own completion: the cancelled request completes on its own
        }
        final InFlight op = submissions.slot(userData & 0xFFFF_FFFFL);
        if (op == null || op.incarnation() != (int) (userData >>> 32)) {
            return; // not ours: nothing the engine submitted carries this user_data
        }
        final OpDef.Completion kind = OpDef.of(op.opcode()).completion();
        if ((flags & IoUring.CQE_F_MORE) != 0 && (kind == OpDef.Completion.MULTISHOT_DRAIN || kind == OpDef.Completion.MULTISHOT_WAKEUP)) {
            op.executionPath(Operation.PATH_ASYNC);
            poster.stage(submissions.moreEvent(op, result)); // a multishot request goes on
            return;
        }
        int settled = result;
        if (kind == OpDef.Completion.NOTIFICATION) {
            if ((flags & IoUring.CQE_F_NOTIF) != 0) {
                final long held = op.issue().heldResult(); // the kernel is done with the buffer: the event goes now
                settled = held == IssueMarks.NO_RESULT ? result : (int) held;
            } else if ((flags & IoUring.CQE_F_MORE) != 0) {
                op.issue().heldResult(result); // the result; the buffer is the kernel's until the notification
                return;
            }
        }
        complete(op, settled);
    }

    /** The request's last CQE: its result, as the blocking call would have returned it. */
    private void complete(final InFlight op, final int result) {
        inKernel.decrementAndGet();
        final boolean inline = op.issue().batch() == reapingBatch;
        completedInBatch += inline ? 1 : 0;
        op.executionPath(inline ? Operation.PATH_INLINE : Operation.PATH_ASYNC);
        if (op.issue().noWaitIssued()) {
            op.issue().noWaitIssued(false);
            if (op.issue().noWaitWanted()) {
                op.issue().noWaitResult(result);
            }
            if (op.resident.pending()) {
                final boolean clean = inline && attemptsClean;
                op.resident.attemptSettled(result, clean);
                attemptUnsure |= !clean || result != op.issue().requestedBytes();
            }
            // Would block, or a read did not return every byte (the rest was not cached: a blocking read would have
            // waited for it), or for an attribute that asked, did not return every byte: issue it again, blocking.
            if (result == -Errno.EAGAIN || result == -Errno.EOPNOTSUPP
                || result > 0 && result < op.issue().requestedBytes()
                    && OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.READS_FILE)
                || op.issue().noWaitWanted() && result >= 0 && result != op.issue().requestedBytes()) {
                handOver(op);
                return;
            }
        }
        if (result == -Errno.ECANCELED && !op.cancelRequested() && !stopping) {
            // Nobody asked for this cancel: the kernel cancels a thread's waiting requests when the thread exits
            // (a recv, or a read of an empty pipe, waits in the kernel). It was still waiting (nothing moved), so
            // the completer, which lives as long as the context, issues it again.
            handOver(op);
            return;
        }
        poster.finishStaged(op, result);
    }
}
