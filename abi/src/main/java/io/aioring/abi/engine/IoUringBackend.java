package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.spi.Operation;
import io.aioring.linux.Errno;
import io.aioring.linux.IoUring;
import io.aioring.linux.IoUringException;
import io.aioring.linux.Linux;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

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
    private final BlockingPool threadCalls;
    private final Arena arena;
    private final ReentrantLock ringLock = new ReentrantLock();
    private final ThreadLocal<IoUringSubmitter> callers;
    private final AtomicInteger inKernel = new AtomicInteger();
    private final int eventfd;
    /** The thread that issues what must block and posts what completes after the submitter has gone. */
    private final IoUringCompleter completer;
    /** The CQE handling (under the ring lock). */
    private final IoUringCompletions completions;
    /** Under the ring lock: submit batches so far. */
    private long batches;
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
        this.callers = ThreadLocal.withInitial(() -> {
            final SyncCalls calls = new SyncCalls(memory, protectedFds, arena);
            calls.residency.watchAttempts(); // a batch's RWF_NOWAIT attempts run inside this thread's own enter
            return new IoUringSubmitter(calls, arena.allocate(IoUring.WAIT_SCRATCH_BYTES, 8));
        });
        final ManyToOneConcurrentArrayQueue<InFlight> handOff = new ManyToOneConcurrentArrayQueue<>(slots);
        this.completions = new IoUringCompletions(submissions, poster, inKernel, handOff);
        this.completer = new IoUringCompleter(name, handOff, completions::stopping, eventfd, inKernel, arena, this::completerDuty);
        this.threadCalls = new BlockingPool(slots, Math.min(workers, 2), poster, memory, protectedFds, arena, name + "-calls",
            null);
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
        final IoUringSubmitter caller = callers.get();
        final OpDef.IoUringRoute route = OpDef.of(op.opcode()).ioUring();
        if (route == OpDef.IoUringRoute.TIMER) {
            scheduler.startTimeout(op, caller.calls);
            return;
        }
        if (route == OpDef.IoUringRoute.CALLS_POOL) {
            threadCalls.offer(op);
            caller.threadCallsQueued++;
            return;
        }
        if (AttributeHooks.start(op, caller.calls, Operation.PATH_INLINE)) {
            poster.complete(op);
            return;
        }
        if (op.issue().noWaitWanted() || OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.READS_FILE)) {
            op.issue().requestedBytes(caller.calls.transferLength(op)); // a short RWF_NOWAIT read is made again
        }
        final long bad = caller.calls.check(op);
        if (bad < 0) {
            poster.finish(op, bad);
            return;
        }
        caller.add(op);
    }

    /** On the submitting thread: one enter for the batch, then post what completed inside it. */
    @Override
    public void submitted(final int count) {
        final IoUringSubmitter caller = callers.get();
        if (caller.threadCallsQueued > 0) {
            threadCalls.wake(Math.min(count, caller.threadCallsQueued));
            caller.threadCallsQueued = 0;
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
            completions.reaping(batch);
            // Reads counted by their RWF_NOWAIT attempts: the thread's block input, read before and after the enter
            // that makes the attempts, says whether any of them started readahead (which could make a page that
            // was not resident look so).
            final long inputBefore = caller.watchesAttempts() ? caller.calls.residency.blockInput() : Long.MIN_VALUE;
            for (int i = 0; i < caller.size; i++) {
                final InFlight op = caller.batch[i];
                caller.batch[i] = null;
                op.issue().batch(batch);
                if (!mayBlock(op)) {
                    prepare(op, true);
                } else {
                    completions.handOver(op);
                }
            }
            caller.size = 0;
            final int sqes = ring.sqPending();
            flush();
            if (inputBefore != Long.MIN_VALUE) {
                completions.attemptsWatched(inputBefore >= 0 && caller.calls.residency.blockInput() == inputBefore);
            }
            reapAndPost();
            if (completions.takeUnsure()) {
                caller.calls.residency.attemptsUnsure();
            }
            if (sqes >= DEVICE_BOUND_MIN_SQES) {
                deviceBound = completions.reapingDone() * 2 < sqes;
            }
        } finally {
            completions.reapingDone();
            final boolean handedOver = completions.takeHandedOver();
            final boolean inKernelNow = inKernel.get() > 0;
            ringLock.unlock();
            if (handedOver) {
                completer.wake();
            } else if (inKernelNow) {
                completer.wakeIfIdle(); // from its idle park to read(eventfd); otherwise it needs nothing
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
            completer.reapedInProcess();
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
        final IoUringSubmitter caller = callers.get();
        completer.reapedInProcess();
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
    private boolean readAlone(final IoUringSubmitter caller) {
        final InFlight op = caller.batch[0];
        if (!OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.READS_FILE) || (op.opFlags() & Linux.RWF_NOWAIT) != 0
            || op.async()) {
            return false;
        }
        if (op.resident.pending()) { // one read: cachestat costs less than a bracket
            caller.calls.residency.countNow(op, caller.calls.transferLength(op));
        }
        final long first = caller.calls.readNoWaitFirst(op);
        caller.batch[0] = null;
        caller.size = 0;
        if (first != SyncCalls.READ_AGAIN) {
            poster.finish(op, first);
        } else {
            // Would block, not every byte was cached, or the file system takes no RWF_NOWAIT: read it all, blocking.
            completer.offer(op);
            completer.wake();
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
        if (op.cancelRequested() || completions.stopping() && OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.WAITS_FOR_READINESS)) {
            poster.finishStaged(op, -Errno.ECANCELED); // cancelled before the kernel had it
            return;
        }
        // Not at the file position (offset -1): an attempt that moved some bytes would have moved the position too.
        final int addNoWait = noWait && isReadOrWrite(op.opcode()) && (op.opFlags() & Linux.RWF_NOWAIT) == 0 && !op.async()
            && op.offset() >= 0 ? Linux.RWF_NOWAIT : 0;
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

    /** Under the ring lock: reaps every CQE there is and posts the finished iocbs with one publish. */
    private int reapAndPost() {
        final int reaped = ring.reap(completions);
        poster.postStaged(); // also what prepare finished without the kernel (cancelled)
        return reaped;
    }

    /** The completer's duty cycle: issues what was handed over, enters, reaps and posts. */
    private void completerDuty() {
        ringLock.lock();
        try {
            InFlight op;
            while ((op = completer.poll()) != null) {
                prepare(op, false);
            }
            flush();
            reapAndPost();
            completions.takeHandedOver(); // the completer is awake: it looks at its queue again
        } finally {
            ringLock.unlock();
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
        while (!ring.prepCancel(target, flags, IoUringCompletions.CANCEL_USER_DATA)) {
            flush();
            reapAndPost();
        }
        flush();
        reapAndPost();
    }

    @Override
    public void stop() {
        threadCalls.stop();
        completions.stop();
        ringLock.lock();
        try {
            // Whatever waits in the kernel (a recv, an accept, a poll) would wait forever: cancel every request.
            cancelInKernel(0, IoUring.ASYNC_CANCEL_ANY);
        } finally {
            ringLock.unlock();
        }
        completer.join();
        Linux.close(new Errno(), eventfd);
        ring.close();
    }
}
