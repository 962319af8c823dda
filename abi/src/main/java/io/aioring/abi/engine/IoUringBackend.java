package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import io.aioring.abi.Opcode;
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
 * <p>The completer sleeps in read(2) on an eventfd registered with the ring while requests are in the kernel, and
 * parks when none is; it posts what completes later. Both sides reap the completion queue under one lock, which
 * also covers preparing and entering, so the rings see one thread at a time.
 */
final class IoUringBackend implements Backend {
    private final IoUring ring;
    private final CompletionPoster poster;
    private final Submissions submissions;
    private final Arena arena;
    private final ReentrantLock ringLock = new ReentrantLock();
    private final ThreadLocal<Caller> callers;
    private final ManyToOneConcurrentArrayQueue<InFlight> blocking;
    private final AtomicInteger inKernel = new AtomicInteger();
    private final int eventfd;
    private final MemorySegment eventfdValue;
    private final Thread completer;
    private final SyncCalls completerCalls;
    private final UnsafeBuffer pathView = new UnsafeBuffer(0L, 0);
    private final IoUring.CqeHandler onCqe = this::onCqe;
    private volatile boolean stopping;
    /** Under the ring lock: submit batches so far, and the one whose submit call is reaping now (-1: none). */
    private long batches;
    private long reapingBatch = -1;
    private boolean wakeCompleter;

    /** A submitting thread's own state: its calls (errno, scratch) and the batch it is building. */
    private static final class Caller {
        final SyncCalls calls;
        final MemorySegment waitScratch;
        InFlight[] batch = new InFlight[64];
        int size;

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
    IoUringBackend(final int slots, final CompletionPoster poster, final Submissions submissions, final MemoryRegistry memory,
                   final int[] protectedFds, final Arena arena, final String name) {
        this.poster = poster;
        this.submissions = submissions;
        this.arena = arena;
        final int entries = Math.min(4096, Integer.highestOneBit(Math.max(8, Math.min(slots, 4096)) - 1) << 1);
        this.ring = IoUring.setup(entries, IoUring.SETUP_CQSIZE | IoUring.SETUP_CLAMP, Math.min(65_536, Math.max(2 * entries, slots)));
        final Errno errno = new Errno(arena);
        this.eventfd = Linux.eventfd(errno, 0, Linux.EFD_CLOEXEC);
        final int registered = eventfd < 0 ? eventfd : ring.registerEventfd(eventfd);
        if (registered < 0) {
            if (eventfd >= 0) {
                Linux.close(errno, eventfd);
            }
            ring.close();
            throw new IoUringException(eventfd < 0 ? "eventfd()" : "io_uring_register(IORING_REGISTER_EVENTFD)", -registered);
        }
        this.eventfdValue = arena.allocate(8, 8);
        this.blocking = new ManyToOneConcurrentArrayQueue<>(slots);
        this.callers = ThreadLocal.withInitial(() -> new Caller(new SyncCalls(memory, protectedFds, arena),
            arena.allocate(IoUring.WAIT_SCRATCH_BYTES, 8)));
        this.completerCalls = new SyncCalls(memory, protectedFds, arena);
        this.completer = new Thread(this::completerLoop, name + "-io_uring-completer");
        completer.setDaemon(true);
    }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public void start() {
        completer.start();
    }

    /** On the submitting thread: start it, run its before hooks, and either finish it now or add it to the batch. */
    @Override
    public void execute(final InFlight op) {
        final Caller caller = callers.get();
        if (AttributeHooks.start(op, caller.calls, Operation.PATH_INLINE)) {
            poster.complete(op);
            return;
        }
        if (op.noWaitWanted()) {
            op.requestedBytes(caller.calls.transferLength(op));
        }
        long bad = caller.calls.checkBuffers(op);
        if (bad == 0 && Opcode.usesBuffer(op.opcode()) && op.offset() < 0) {
            bad = -Errno.EINVAL; // pread/pwrite semantics: io_uring would read at the file position instead
        }
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
                op.batch(batch);
                if (!mayBlock(op)) {
                    prepare(op, true);
                } else {
                    blocking.offer(op);
                    wakeCompleter = true;
                }
            }
            caller.size = 0;
            flush();
            reapAndPost();
        } finally {
            reapingBatch = -1;
            final boolean wake = wakeCompleter || inKernel.get() > 0;
            wakeCompleter = false;
            ringLock.unlock();
            if (wake) {
                wake();
            }
        }
    }

    /** A reaper in this process looks: reap the CQ now rather than wait for the completer to wake. */
    @Override
    public void pollCompletions() {
        if (inKernel.get() > 0 && ringLock.tryLock()) {
            try {
                reapAndPost();
            } finally {
                ringLock.unlock();
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
        if (!Opcode.isRead(op.opcode()) || (op.opFlags() & Linux.RWF_NOWAIT) != 0) {
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

    /** @return true for the opcodes that block by nature: they go to the completer */
    private static boolean mayBlock(final InFlight op) {
        return switch (op.opcode()) {
            case Opcode.FSYNC, Opcode.FDATASYNC, Opcode.OPENAT, Opcode.CLOSE -> true;
            default -> false;
        };
    }

    /** Under the ring lock: writes {@code op}'s SQE (entering the kernel first if the SQ is full). */
    private void prepare(final InFlight op, final boolean noWait) {
        final int addNoWait = noWait && isReadOrWrite(op.opcode()) && (op.opFlags() & Linux.RWF_NOWAIT) == 0 ? Linux.RWF_NOWAIT : 0;
        op.noWaitIssued(addNoWait != 0);
        final long userData = op.index();
        boolean prepared;
        while (true) {
            prepared = switch (op.opcode()) {
                case Opcode.NOP -> ring.prepNop(userData);
                case Opcode.PREAD -> ring.prepRw(IoUring.OP_READ, op.fd(), op.address(), op.lengthOrCount(), op.offset(), addNoWait, userData);
                case Opcode.PWRITE -> ring.prepRw(IoUring.OP_WRITE, op.fd(), op.address(), op.lengthOrCount(), op.offset(), addNoWait, userData);
                // The engine's checked copy of the iovecs, never the caller's array (checked, then read again by the kernel).
                case Opcode.PREADV -> ring.prepReadv(op.fd(), op.iovecs(), op.lengthOrCount(), op.offset(), op.opFlags() | addNoWait, userData);
                case Opcode.PWRITEV -> ring.prepWritev(op.fd(), op.iovecs(), op.lengthOrCount(), op.offset(), op.opFlags() | addNoWait, userData);
                case Opcode.FSYNC -> ring.prepFsync(op.fd(), 0, userData);
                case Opcode.FDATASYNC -> ring.prepFsync(op.fd(), IoUring.FSYNC_DATASYNC, userData);
                case Opcode.OPENAT -> ring.prepRw(IoUring.OP_OPENAT, op.fd(), op.pathBuffer(arena).address(), op.mode(), 0, op.opFlags(), userData);
                case Opcode.CLOSE -> ring.prepRw(IoUring.OP_CLOSE, op.fd(), 0, 0, 0, 0, userData);
                default -> throw new IllegalStateException("opcode " + op.opcode() + " reached io_uring");
            };
            if (prepared) {
                inKernel.incrementAndGet();
                return;
            }
            flush(); // the SQ is full: hand it to the kernel and reuse its entries
            reapAndPost();
        }
    }

    private static boolean isReadOrWrite(final int opcode) {
        return opcode == Opcode.PREAD || opcode == Opcode.PWRITE || opcode == Opcode.PREADV || opcode == Opcode.PWRITEV;
    }

    /** Under the ring lock: enters the kernel with every prepared SQE, retrying while it is interrupted. */
    private void flush() {
        while (ring.sqPending() > 0) {
            final int r = ring.submit(0);
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
        final InFlight op = submissions.slot(userData);
        if (op == null) {
            return; // not ours: nothing the engine submitted carries this user_data
        }
        inKernel.decrementAndGet();
        op.executionPath(op.batch() == reapingBatch ? Operation.PATH_INLINE : Operation.PATH_ASYNC);
        if (op.noWaitIssued()) {
            op.noWaitIssued(false);
            if (op.noWaitWanted()) {
                op.noWaitResult(result);
            }
            // Would block (or, for an attribute that asked, did not return every byte): issue it again, blocking.
            if (result == -Errno.EAGAIN || result == -Errno.EOPNOTSUPP
                || op.noWaitWanted() && result >= 0 && result != op.requestedBytes()) {
                blocking.offer(op);
                wakeCompleter = true;
                return;
            }
        }
        finishStaged(op, result);
    }

    /** Finishes {@code op} and posts it at once (outside a CQ reap). */
    private void finish(final InFlight op, final long result) {
        op.finish(result, System.nanoTime());
        AttributeHooks.after(op);
        poster.complete(op);
    }

    /** Under the ring lock, reaping: finishes {@code op}; the reap posts the whole batch after it. */
    private void finishStaged(final InFlight op, final long result) {
        op.finish(result, System.nanoTime());
        AttributeHooks.after(op);
        poster.stage(op);
    }

    /** Under the ring lock: reaps every CQE there is and posts the finished iocbs with one publish. */
    private int reapAndPost() {
        final int reaped = ring.reap(onCqe);
        if (reaped > 0) {
            poster.postStaged();
        }
        return reaped;
    }

    private void wake() {
        LockSupport.unpark(completer);
    }

    /** The completer: issues what must block, and posts what completes after the submitter has gone. */
    private void completerLoop() {
        while (true) {
            ringLock.lock();
            try {
                InFlight op;
                while ((op = blocking.poll()) != null) {
                    if (op.opcode() == Opcode.OPENAT) {
                        final MemorySegment path = op.pathBuffer(arena);
                        pathView.wrap(path.address(), (int) path.byteSize());
                        final long bad = completerCalls.copyPath(op, pathView);
                        if (bad < 0) {
                            finish(op, bad);
                            continue;
                        }
                    } else if (op.opcode() == Opcode.CLOSE && completerCalls.isProtected(op.fd())) {
                        finish(op, -Errno.EPERM);
                        continue;
                    }
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
            if (inKernel.get() > 0) {
                // Requests are in the kernel: sleep until it posts a completion (the eventfd counts every CQE).
                final long r = Linux.read(completerCalls.errno(), eventfd, eventfdValue.address(), 8);
                if (r < 0 && r != -Errno.EINTR) {
                    throw new IllegalStateException("read(eventfd) failed: " + Errno.describeResult(r));
                }
            } else if (stopping) {
                return;
            } else {
                // Nothing in the kernel: park until a submitter hands over work (unpark before park is kept).
                LockSupport.park(this);
            }
        }
    }

    @Override
    public void stop() {
        stopping = true;
        wake();
        Engine.joinQuietly(completer);
        Linux.close(new Errno(), eventfd);
        ring.close();
    }
}
