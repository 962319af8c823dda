package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.spi.Operation;
import io.aioring.linux.Errno;
import io.aioring.linux.IoUring;
import io.aioring.linux.IoUringException;
import io.aioring.linux.Linux;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The io_uring backend: the submitting thread hands a batch to the kernel with one {@code io_uring_enter}, and
 * what the kernel completes inside that call is posted by the submitter right away, with no thread hop.
 *
 * <p>Reads and writes go from the submitter's thread with {@code RWF_NOWAIT} added: served from the page cache
 * (or otherwise without blocking) they complete inside the enter; one that would block completes {@code -EAGAIN}
 * and is handed to the completer thread, which issues it again without the flag, as it issues everything that
 * must block (fsync, fdatasync, openat, close). So work that io_uring does asynchronously always belongs to the
 * completer, a thread that lives as long as the context, and never to a caller's thread that may exit.
 *
 * <p>Socket iocbs: recv, send, recvmsg and sendmsg go in the submitter's batch as they are; one that is not ready
 * waits in the kernel, which polls the socket and retries it with no thread of ours and no io-wq worker. If the
 * submitting thread exits meanwhile, the kernel cancels its waiting requests; a -ECANCELED that no one asked for is
 * therefore issued again by the completer (the test suite exits such a thread). Accept, connect and poll go from
 * the completer. Multishot requests post one event per CQE flagged MORE. A cancel of a running iocb is an
 * {@code IORING_OP_ASYNC_CANCEL} aimed at its user data, which names the slot and its incarnation, so a cancel never
 * reaches a later iocb in the same slot.
 *
 * <p>The completer sleeps in read(2) on an eventfd registered with the ring while requests are in the kernel, and
 * parks when none is; it posts what completes later. Both sides reap the completion queue under one lock, which
 * also covers preparing and entering, so the rings see one thread at a time.
 */
final class IoUringBackend implements Backend {
    private final IoUring ring;
    private final CompletionPoster poster;
    private final Submissions submissions;
    private final Scheduler scheduler;
    /** Worker threads for the calls io_uring has no opcode for (sendfile, copy_file_range; ftruncate before 6.9). */
    private final WorkerPoolBackend threadCalls;
    private final Arena arena;
    private final ReentrantLock ringLock = new ReentrantLock();
    private final ThreadLocal<Caller> callers;
    private final ManyToOneConcurrentArrayQueue<InFlight> blocking;
    private final AtomicInteger inKernel = new AtomicInteger();
    private final int eventfd;
    private final MemorySegment eventfdValue;
    /** 1, for waking the completer through its eventfd. */
    private final MemorySegment wakeOne;
    private volatile boolean completerInRead;
    /** The completer parks with nothing in the kernel: a submit that puts requests there must wake it. */
    private volatile boolean completerIdle;
    /**
     * When a thread of this process last reaped the CQ itself: it waited in io_uring_enter for completions, or a
     * reaper of this process polled (each poll reaps the CQ first).
     */
    private volatile long lastInProcessReap = Long.MIN_VALUE / 2;
    /** How long after that the completer leaves the reaping to that thread. */
    private static final long IN_PROCESS_REAPER_GRACE_NANOS = 1_000_000L;
    private final Thread completer;
    private final SyncCalls completerCalls;
    private final IoUring.CqeHandler onCqe = this::onCqe;
    /** The user data of the engine's own cancel requests: no slot has it. */
    private static final long CANCEL_USER_DATA = Long.MIN_VALUE;
    private volatile boolean stopping;
    /** Under the ring lock: submit batches so far, and the one whose submit call is reaping now (-1: none). */
    private long batches;
    private long reapingBatch = -1;
    /** Under the ring lock: requests of the reaping batch that completed inside its submit call. */
    private int completedInBatch;
    /**
     * Under the ring lock: the last batch of at least {@link #DEVICE_BOUND_MIN_SQES} SQEs saw fewer than half of them
     * complete inside its submit call, so they went to a device (O_DIRECT, or pages not cached). Such SQEs go to the
     * kernel {@link #DEVICE_BOUND_SQES_PER_ENTER} per io_uring_enter, as fio's one at a time: a whole batch in one
     * enter is plugged and reaches the device as one burst, and then completes as one, and the device's queue
     * never evens out (O_DIRECT at QD32: 72 k IOPS against 86 k, docs/benchmarks.md). Batches that complete inside
     * the call (cached reads) keep one enter for all.
     */
    private boolean deviceBound;
    private static final int DEVICE_BOUND_MIN_SQES = 3;
    private static final int DEVICE_BOUND_SQES_PER_ENTER = 2;
    private boolean wakeCompleter;

    /** A submitting thread's own state: its calls (errno, scratch) and the batch it is building. */
    private static final class Caller {
        final SyncCalls calls;
        final MemorySegment waitScratch;
        InFlight[] batch = new InFlight[64];
        int size;
        boolean threadCallsQueued;

        Caller(final SyncCalls calls, final MemorySegment waitScratch) {
            this.calls = calls;
            this.waitScratch = waitScratch;
        }

        void add(final InFlight op) {
            if (size == batch.length) {
                batch = java.util.Arrays.copyOf(batch, size * 2);
            }
            batch[size++] = op;
        }
    }

    /**
     * @throws io.aioring.linux.IoUringException if the ring cannot be made (the caller falls back or fails)
     */
    IoUringBackend(final int slots, final int workers, final CompletionPoster poster, final Submissions submissions,
                   final Scheduler scheduler, final MemoryRegistry memory, final OwnDescriptors protectedFds, final Arena arena,
                   final String name) {
        this.poster = poster;
        this.submissions = submissions;
        this.scheduler = scheduler;
        this.arena = arena;
        final int entries = Math.min(4096, Integer.highestOneBit(Math.max(8, Math.min(slots, 4096)) - 1) << 1);
        this.ring = setupRing(entries, Math.min(65_536, Math.max(2 * entries, slots)));
        final Errno errno = new Errno(arena);
        this.eventfd = Linux.eventfd(errno, 0, Linux.EFD_CLOEXEC);
        protectedFds.add(ring.fd());
        protectedFds.add(eventfd);
        final int registered = eventfd < 0 ? eventfd : ring.registerEventfd(eventfd);
        if (registered < 0) {
            if (eventfd >= 0) {
                Linux.close(errno, eventfd);
            }
            ring.close();
            throw new IoUringException(eventfd < 0 ? "eventfd()" : "io_uring_register(IORING_REGISTER_EVENTFD)", -registered);
        }
        this.eventfdValue = arena.allocate(8, 8);
        this.wakeOne = arena.allocate(8, 8);
        wakeOne.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 1L);
        this.blocking = new ManyToOneConcurrentArrayQueue<>(slots);
        this.callers = ThreadLocal.withInitial(() -> new Caller(new SyncCalls(memory, protectedFds, arena),
            arena.allocate(IoUring.WAIT_SCRATCH_BYTES, 8)));
        this.completerCalls = new SyncCalls(memory, protectedFds, arena);
        this.completer = new Thread(this::completerLoop, name + "-io_uring-completer");
        completer.setDaemon(true);
        this.threadCalls = new WorkerPoolBackend(slots, Math.min(workers, 2), poster, submissions, scheduler, memory,
            protectedFds, arena, name + "-calls", false);
    }

    /**
     * With IORING_SETUP_SUBMIT_ALL (Linux 5.18) where the kernel has it: an SQE whose prep fails completes with its
     * error and the kernel goes on with the rest of the batch in the same enter; without it, {@link IoUring#submit}
     * hands the rest over again.
     */
    private static IoUring setupRing(final int entries, final int cqEntries) {
        final int flags = IoUring.SETUP_CQSIZE | IoUring.SETUP_CLAMP;
        try {
            return IoUring.setup(entries, flags | IoUring.SETUP_SUBMIT_ALL, cqEntries);
        } catch (final IoUringException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
            return IoUring.setup(entries, flags, cqEntries);
        }
    }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public void start() {
        completer.start();
        threadCalls.start();
    }

    /** On the submitting thread: start it, run its before hooks, and either finish it now or add it to the batch. */
    @Override
    public void execute(final InFlight op) {
        final Caller caller = callers.get();
        final OpDef.IoUringRoute route = OpDef.of(op.opcode()).ioUring();
        if (route == OpDef.IoUringRoute.TIMER) {
            scheduler.startTimeout(op, caller.calls);
            return;
        }
        if (route == OpDef.IoUringRoute.CALLS_POOL) {
            threadCalls.execute(op);
            caller.threadCallsQueued = true;
            return;
        }
        if (AttributeHooks.start(op, caller.calls, Operation.PATH_INLINE)) {
            poster.complete(op);
            return;
        }
        if (op.issue().noWaitWanted()) {
            op.issue().requestedBytes(caller.calls.transferLength(op));
        }
        final long bad = caller.calls.check(op);
        if (bad < 0) {
            finish(op, bad);
            return;
        }
        caller.add(op);
    }

    /** On the submitting thread: one enter for the batch, then post what completed inside it. */
    @Override
    public void submitted(final int count) {
        final Caller caller = callers.get();
        if (caller.threadCallsQueued) {
            caller.threadCallsQueued = false;
            threadCalls.submitted(count);
        }
        if (caller.size == 0) {
            return;
        }
        if (caller.size == 1 && readAlone(caller)) {
            return;
        }
        ringLock.lock();
        try {
            // What this call's own reaps find of this batch completed inside the submit call: inline.
            final long batch = ++batches;
            reapingBatch = batch;
            for (int i = 0; i < caller.size; i++) {
                final InFlight op = caller.batch[i];
                caller.batch[i] = null;
                op.issue().batch(batch);
                if (!mayBlock(op)) {
                    prepare(op, true);
                } else {
                    blocking.offer(op);
                    wakeCompleter = true;
                }
            }
            caller.size = 0;
            final int sqes = ring.sqPending();
            completedInBatch = 0;
            flush();
            reapAndPost();
            if (sqes >= DEVICE_BOUND_MIN_SQES) {
                deviceBound = completedInBatch * 2 < sqes;
            }
        } finally {
            reapingBatch = -1;
            final boolean handedOver = wakeCompleter;
            final boolean inKernelNow = inKernel.get() > 0;
            wakeCompleter = false;
            ringLock.unlock();
            if (handedOver) {
                wake();
            } else if (inKernelNow && completerIdle) {
                LockSupport.unpark(completer); // from its idle park to read(eventfd); otherwise it needs nothing
            }
        }
    }

    /** A reaper in this process looks: reap the CQ now rather than wait for the completer to wake. */
    @Override
    public void pollCompletions() {
        if (inKernel.get() > 0) {
            // A reaper here that polls busily takes the completions as they come: the completer, woken by the
            // eventfd for each, would only take the ring lock from it and a core from both (a loopback echo
            // server: 10,000 wake-ups a second on 2 cores).
            lastInProcessReap = System.nanoTime();
            if (ringLock.tryLock()) {
                try {
                    reapAndPost();
                } finally {
                    ringLock.unlock();
                }
            }
        }
    }

    /** As fio's thread does: sleep in io_uring_enter until a completion arrives, then reap it here. */
    @Override
    public boolean awaitCompletions(final long timeoutNanos) {
        if (inKernel.get() == 0) {
            return false;
        }
        final Caller caller = callers.get();
        lastInProcessReap = System.nanoTime();
        if (!ring.cqReady()) {
            ring.awaitCompletions(caller.calls.errno(), caller.waitScratch, timeoutNanos);
        }
        pollCompletions();
        return true;
    }

    /**
     * A batch of one read: one system call either way, and preadv2 with RWF_NOWAIT costs less than an
     * io_uring_enter. Served from the page cache it completes here; otherwise the completer reads it, blocking.
     *
     * @return true if the read was dealt with (finished, or handed to the completer)
     */
    private boolean readAlone(final Caller caller) {
        final InFlight op = caller.batch[0];
        if (!OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.READS_FILE) || (op.opFlags() & Linux.RWF_NOWAIT) != 0) {
            return false;
        }
        final long first = caller.calls.readNoWaitFirst(op);
        caller.batch[0] = null;
        caller.size = 0;
        if (first != SyncCalls.READ_AGAIN) {
            finish(op, first);
        } else {
            // Would block, not every byte was cached, or the file system takes no RWF_NOWAIT: read it all, blocking.
            blocking.offer(op);
            wake();
        }
        return true;
    }

    /**
     * @return true for the opcodes that block by nature, or wait for readiness for long: they go to the completer,
     *         so that the kernel's work for them belongs to a thread that lives as long as the context
     */
    private static boolean mayBlock(final InFlight op) {
        return OpDef.of(op.opcode()).ioUring() == OpDef.IoUringRoute.COMPLETER;
    }

    /** Under the ring lock: writes {@code op}'s SQE (entering the kernel first if the SQ is full). */
    private void prepare(final InFlight op, final boolean noWait) {
        if (op.cancelRequested() || stopping && OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.WAITS_FOR_READINESS)) {
            finishStaged(op, -Errno.ECANCELED); // cancelled before the kernel had it
            return;
        }
        final int addNoWait = noWait && isReadOrWrite(op.opcode()) && (op.opFlags() & Linux.RWF_NOWAIT) == 0 ? Linux.RWF_NOWAIT : 0;
        op.issue().noWaitIssued(addNoWait != 0);
        final long userData = userData(op);
        final OpDef.Prep prep = OpDef.of(op.opcode()).prep();
        boolean prepared;
        while (true) {
            prepared = prep.prep(ring, op, userData, addNoWait, arena);
            if (prepared) {
                inKernel.incrementAndGet();
                return;
            }
            flush(); // the SQ is full: hand it to the kernel and reuse its entries
            reapAndPost();
        }
    }

    /** @return the user data of {@code op}'s requests: its slot, and its incarnation above bit 32 */
    private static long userData(final InFlight op) {
        return (long) op.incarnation() << 32 | op.index();
    }

    private static boolean isReadOrWrite(final int opcode) {
        return OpcodeDescriptor.has(opcode, OpcodeDescriptor.READS_FILE) || OpcodeDescriptor.has(opcode, OpcodeDescriptor.WRITES_FILE);
    }

    /** Under the ring lock: enters the kernel with every prepared SQE, retrying while it is interrupted. */
    private void flush() {
        while (ring.sqPending() > 0) {
            final int r = deviceBound ? ring.submitAtMost(DEVICE_BOUND_SQES_PER_ENTER) : ring.submit(0);
            if (r < 0 && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY) {
                throw new IllegalStateException("io_uring_enter failed: " + Errno.describeResult(r));
            }
            if (r < 0) {
                reapAndPost(); // EBUSY: the CQ is overflowing; make room
            }
        }
    }

    /** Under the ring lock: one completion. */
    private void onCqe(final long userData, final int result, final int flags) {
        if (userData == CANCEL_USER_DATA) {
            return; // a cancel's own completion: the cancelled request completes on its own
        }
        final InFlight op = submissions.slot(userData & 0xFFFF_FFFFL);
        if (op == null || op.incarnation() != (int) (userData >>> 32)) {
            return; // not ours: nothing the engine submitted carries this user_data
        }
        if ((flags & IoUring.CQE_F_MORE) != 0 && OpDef.of(op.opcode()).row().has(OpcodeDescriptor.MULTISHOT)) {
            op.executionPath(Operation.PATH_ASYNC);
            poster.stage(submissions.moreEvent(op, result)); // a multishot request goes on
            return;
        }
        inKernel.decrementAndGet();
        final boolean inline = op.issue().batch() == reapingBatch;
        completedInBatch += inline ? 1 : 0;
        op.executionPath(inline ? Operation.PATH_INLINE : Operation.PATH_ASYNC);
        if (op.issue().noWaitIssued()) {
            op.issue().noWaitIssued(false);
            if (op.issue().noWaitWanted()) {
                op.issue().noWaitResult(result);
            }
            // Would block (or, for an attribute that asked, did not return every byte): issue it again, blocking.
            if (result == -Errno.EAGAIN || result == -Errno.EOPNOTSUPP
                || op.issue().noWaitWanted() && result >= 0 && result != op.issue().requestedBytes()) {
                blocking.offer(op);
                wakeCompleter = true;
                return;
            }
        }
        if (result == -Errno.ECANCELED && !op.cancelRequested() && !stopping) {
            // Nobody asked for this cancel: the kernel cancels a thread's waiting requests when the thread exits
            // (a recv, or a read of an empty pipe, waits in the kernel). It was still waiting (nothing moved), so
            // the completer, which lives as long as the context, issues it again.
            blocking.offer(op);
            wakeCompleter = true;
            return;
        }
        finishStaged(op, result);
    }

    /** Finishes {@code op} and posts it at once (outside a CQ reap). */
    private void finish(final InFlight op, final long result) {
        poster.finish(op, result);
    }

    /** Under the ring lock, reaping: finishes {@code op}; the reap posts the whole batch after it. */
    private void finishStaged(final InFlight op, final long result) {
        poster.finishStaged(op, result);
    }

    /** Under the ring lock: reaps every CQE there is and posts the finished iocbs with one publish. */
    private int reapAndPost() {
        final int reaped = ring.reap(onCqe);
        poster.postStaged(); // also what prepare finished without the kernel (cancelled)
        return reaped;
    }

    /** Wakes the completer wherever it sleeps: parked, or in read(2) on the eventfd. */
    private void wake() {
        LockSupport.unpark(completer);
        // The completer sets completerInRead, then rechecks its queue before it reads (Dekker with the caller's offer).
        VarHandle.fullFence();
        if (completerInRead) {
            Linux.writeUnchecked(eventfd, wakeOne.address(), 8);
        }
    }

    /** The completer: issues what must block, and posts what completes after the submitter has gone. */
    private void completerLoop() {
        while (true) {
            ringLock.lock();
            try {
                InFlight op;
                while ((op = blocking.poll()) != null) {
                    prepare(op, false);
                }
                flush();
                reapAndPost();
                wakeCompleter = false;
            } finally {
                ringLock.unlock();
            }
            if (!blocking.isEmpty()) {
                continue;
            }
            if (inKernel.get() > 0 && System.nanoTime() - lastInProcessReap < IN_PROCESS_REAPER_GRACE_NANOS) {
                // A thread of this process waits in the kernel for completions, or polls, and reaps them itself:
                // waking here for each one as well would only contend with it. Look again shortly, in case it stops.
                LockSupport.parkNanos(this, IN_PROCESS_REAPER_GRACE_NANOS);
            } else if (inKernel.get() > 0) {
                // Requests are in the kernel: sleep until it posts a completion (the eventfd counts every CQE), or
                // until a submitter hands over work (it writes the eventfd too: a socket request may never complete).
                completerInRead = true;
                VarHandle.fullFence();
                if (blocking.isEmpty() && !stopping) {
                    final long r = Linux.read(completerCalls.errno(), eventfd, eventfdValue.address(), 8);
                    if (r < 0 && r != -Errno.EINTR) {
                        throw new IllegalStateException("read(eventfd) failed: " + Errno.describeResult(r));
                    }
                }
                completerInRead = false;
            } else if (stopping) {
                return;
            } else {
                // Nothing in the kernel: park until a submitter hands over work (unpark before park is kept).
                completerIdle = true;
                VarHandle.fullFence();
                if (inKernel.get() == 0 && blocking.isEmpty() && !stopping) {
                    LockSupport.park(this);
                }
                completerIdle = false;
            }
        }
    }

    /** Marks {@code op} cancelled and aims an ASYNC_CANCEL at it; what has not reached the kernel sees the mark. */
    @Override
    public boolean cancelRunning(final InFlight op, final int incarnation) {
        ringLock.lock();
        try {
            if (op.incarnation() != incarnation || !op.isRunning()) {
                return false;
            }
            op.requestCancel();
            cancelInKernel((long) incarnation << 32 | op.index(), 0);
        } finally {
            ringLock.unlock();
        }
        return true;
    }

    /** Under the ring lock: one ASYNC_CANCEL, entered at once. */
    private void cancelInKernel(final long target, final int flags) {
        while (!ring.prepCancel(target, flags, CANCEL_USER_DATA)) {
            flush();
            reapAndPost();
        }
        flush();
        reapAndPost();
    }

    @Override
    public void stop() {
        threadCalls.stop();
        stopping = true;
        ringLock.lock();
        try {
            // Whatever waits in the kernel (a recv, an accept, a poll) would wait forever: cancel every request.
            cancelInKernel(0, IoUring.ASYNC_CANCEL_ANY);
        } finally {
            ringLock.unlock();
        }
        wake();
        Engine.joinQuietly(completer);
        Linux.close(new Errno(), eventfd);
        ring.close();
    }
}
