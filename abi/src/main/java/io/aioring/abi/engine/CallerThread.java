package io.aioring.abi.engine;

import java.util.concurrent.locks.LockSupport;

import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.IocbFormatException;
import io.aioring.linux.Errno;
import io.aioring.linux.Futex;
import io.aioring.ring.Ring;

import org.agrona.DirectBuffer;

/**
 * What a caller's own thread does in the engine, beside submitting: await (one iocb's event, taken for the caller
 * instead of the ring), execute (one iocb run there, blocking), and a reaper's sleep on the ring's tail. Each
 * thread has its own execute slot, calls and futex timespec: nothing is allocated per call.
 */
final class CallerThread {
    private final Ring ring;
    private final ContextArea area;
    private final Submissions submissions;
    private final IocbDecoder decoder;
    private final Chains chains;
    /** Counts what execute ran, whose event never passes it. */
    private final CompletionPoster poster;
    /** Each thread that calls execute: its own iocb slot (outside the pool) and calls. */
    private final ThreadLocal<InFlight> executeSlots;
    private final ThreadLocal<SyncCalls> executeCalls;
    /** Each thread that sleeps on the ring's tail: its own futex timespec. */
    private final ThreadLocal<Futex> futexes;

    CallerThread(final ContextFiles files, final ContextArea area, final Submissions submissions, final IocbDecoder decoder,
                 final Chains chains, final MemoryRegistry memory, final int returnBytes, final CompletionPoster poster) {
        this.ring = files.ringFile.ring();
        this.area = area;
        this.submissions = submissions;
        this.decoder = decoder;
        this.chains = chains;
        this.poster = poster;
        this.executeSlots = ThreadLocal.withInitial(() -> new InFlight(-1, returnBytes));
        this.executeCalls = ThreadLocal.withInitial(() -> new SyncCalls(memory, files.own, files.arena));
        this.futexes = ThreadLocal.withInitial(() -> new Futex(files.arena));
    }

    /**
     * Waits for the event of the in-flight iocb with {@code userData} and takes it for the caller: it does not
     * enter the ring, so no reaper sees it, and no other event is taken. Not for multishot iocbs.
     *
     * @param target receives the event (at index 0); as long as the ring's largest record payload
     * @return the event's length; 0 if the timeout passed first (the event will then enter the ring as usual);
     *         -ENOENT if no iocb with that user data is in flight (or its event is already in the ring)
     */
    int await(final long userData, final long timeoutNanos, final org.agrona.concurrent.UnsafeBuffer target) {
        final Awaiter awaiter = new Awaiter(target);
        final InFlight op = submissions.claimForAwait(userData, awaiter);
        if (op == null) {
            return -Errno.ENOENT;
        }
        final int incarnation = op.incarnation();
        if (op.isDone() && op.await().unclaim(incarnation)) {
            return -Errno.ENOENT; // it completed into the ring just before the claim
        }
        final long deadline = System.nanoTime() + timeoutNanos;
        while (awaiter.length < 0) {
            if (op.incarnation() != incarnation) {
                // The slot carries another iocb: ours completed into the ring before the claim, unless it was just
                // handed over (the length is set before the slot is given back).
                return awaiter.length >= 0 ? awaiter.length : -Errno.ENOENT;
            }
            final long left = deadline - System.nanoTime();
            if (left <= 0 && op.await().unclaim(incarnation)) {
                return 0;
            }
            // Not given up: the event is being handed over now (or time remains).
            LockSupport.parkNanos(this, left > 0 ? left : 1_000);
        }
        return awaiter.length;
    }

    /**
     * Runs one iocb on the calling thread, blocking until its call returns ("issue this syscall with
     * attributes"): the same checks, call and attribute records as submit, and the event goes to the caller, not
     * into the ring. The iocb takes no slot; iocb flags and timeout_ms are refused (-EINVAL), as are fd slots.
     *
     * @param target receives the event (at index 0)
     * @return the event's length
     * @throws io.aioring.abi.layout.IocbFormatException for a malformed iocb, or one followed by more bytes
     */
    int execute(final DirectBuffer iocb, final int offset, final int length, final org.agrona.concurrent.UnsafeBuffer target) {
        final InFlight op = executeSlots.get();
        final int iocbLength = decoder.decode(iocb, offset, length, 0, 0, op);
        if (iocbLength != length) {
            throw new io.aioring.abi.layout.IocbFormatException(1, "length", length - iocbLength,
                "execute takes one iocb; " + (length - iocbLength) + " bytes follow it", 1);
        }
        op.queue(System.nanoTime());
        if ((op.iocbFlags() != 0 || op.timeoutMillis() != 0) && !op.failed()) {
            op.fail(-Errno.EINVAL, -1);
        }
        chains.refuseOwnDescriptors(op);
        executeCalls.get().run(op, io.aioring.abi.spi.Operation.PATH_INLINE);
        final OpDef.Done done = OpDef.of(op.opcode()).done();
        if (done != null) {
            done.done(op);
        }
        poster.totals().countAlone(op);
        return op.encode(target, 0, io.aioring.abi.layout.EventDescriptor.SEQUENCE_NOT_IN_RING);
    }

    /**
     * Nothing was there to reap and the backend has nothing in the kernel to wait on: sleep on the ring's tail
     * (the futex every publish wakes when someone waits there) until an event is posted.
     *
     * @param timeoutNanos the longest sleep
     */
    void awaitPosted(final long timeoutNanos) {
        final int tail = ring.tail();
        if (tail != ring.head()) {
            return;
        }
        area.addTailWaiter();
        try {
            // Registered before the second look: a publish after it sees the waiter and wakes it (docs/abi.md 2.9).
            if (ring.tail() == tail) {
                ring.awaitTail(futexes.get(), tail, timeoutNanos);
            }
        } finally {
            area.removeTailWaiter();
        }
    }
}
