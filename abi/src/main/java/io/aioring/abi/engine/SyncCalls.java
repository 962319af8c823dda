package io.aioring.abi.engine;

import static io.aioring.abi.layout.AttributeRecordDescriptor.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.spi.Operation;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Makes iocbs' Linux calls on the calling thread, blocking until each returns, with the attributes' hooks around
 * them: what a worker thread does. One per thread: it owns that thread's errno capture and path buffer, so it
 * allocates nothing. Every address an iocb names is checked against the registered memory first.
 */
final class SyncCalls {
    private final MemoryRegistry memory;
    /** Checks and copies what iocbs point at. */
    private final MemoryChecks checks;
    private final OwnDescriptors protectedFds;
    private final Errno errno;
    private final MemorySegment path;
    private final UnsafeBuffer pathBytes;
    /** One struct iovec of native memory, for turning a pread into a preadv2. */
    private final UnsafeBuffer oneIovec;
    /** A struct pollfd (0), a long (8: SO_ERROR and its length, or sendfile's offset), two offsets for splice (16, 24). */
    private final UnsafeBuffer pollScratch;

    SyncCalls(final MemoryRegistry memory, final OwnDescriptors protectedFds, final Arena arena) {
        this.memory = memory;
        this.checks = new MemoryChecks(memory, arena);
        this.protectedFds = protectedFds;
        this.errno = new Errno(arena);
        this.path = arena.allocate(MemoryChecks.PATH_MAX, 8);
        this.pathBytes = new UnsafeBuffer(path.address(), MemoryChecks.PATH_MAX);
        this.oneIovec = new UnsafeBuffer(arena.allocate(Linux.IOVEC_SIZE, 8).address(), Linux.IOVEC_SIZE);
        this.pollScratch = new UnsafeBuffer(arena.allocate(32, 8).address(), 32);
        this.residency = new ResidentCounter(errno, arena);
    }

    /** This thread's page-cache counts (cachestat, or watched attempts). */
    final ResidentCounter residency;

    /** {@link io.aioring.abi.spi.Operation#measureResidentBytes()}: see {@link ResidentCounter#residentBytes}. */
    long residentBytes(final InFlight op) {
        return residency.residentBytes(op, transferLength(op));
    }

    /**
     * On the submitting thread (threads backend): a read first tries {@code RWF_NOWAIT}, which copies from the page
     * cache and never waits. If that was the whole read, the iocb is done here and no worker wakes for it.
     *
     * @return true if {@code op} is finished (its return records built); false if a worker must run it — untouched
     *         if it is not a read, else started, its before hooks run, to be finished by {@link #run}
     */
    boolean tryInline(final InFlight op) {
        if (!OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.READS_FILE) || op.async()) {
            return false;
        }
        if (AttributeHooks.start(op, this, Operation.PATH_INLINE)) {
            return true;
        }
        final long first = readNoWaitFirst(op);
        if (first != READ_AGAIN) {
            AttributeHooks.finish(op, first);
            return true;
        }
        op.issue().startedInline(true);
        return false;
    }

    /** What {@link #readNoWaitFirst} says when the read must be made again, blocking. */
    static final long READ_AGAIN = Long.MIN_VALUE;

    /**
     * A read's first attempt with RWF_NOWAIT, noted for an attribute that asked for it ({@link Operation#noWaitResult()}).
     *
     * @return the read's result if that attempt settled it (every byte, or an error that a blocking read would give
     *         too), else {@link #READ_AGAIN}: it would block, not every byte was cached, or the file system takes no
     *         RWF_NOWAIT
     */
    long readNoWaitFirst(final InFlight op) {
        final long requested = transferLength(op);
        final long first = requested < 0 ? requested : readNoWait(op);
        if (op.issue().noWaitWanted()) {
            op.issue().noWaitResult(first);
        }
        return requested < 0 || first == requested || (first < 0 && first != -Errno.EAGAIN && first != -Errno.EOPNOTSUPP)
            ? first : READ_AGAIN;
    }

    /** Runs {@code op} (state QUEUED, or CANCELLED, or started by {@link #tryInline}) to completion on this thread. */
    void run(final InFlight op) {
        run(op, Operation.PATH_WORKER);
    }

    /** As {@link #run(InFlight)}; {@code path} is how it runs, for the path attribute. */
    void run(final InFlight op, final int path) {
        if (op.issue().startedInline()) {
            // Its RWF_NOWAIT attempt did not return every byte: read the whole range, blocking.
            op.executionPath(Operation.PATH_WORKER);
            AttributeHooks.finish(op, call(op));
            return;
        }
        if (AttributeHooks.start(op, this, path)) {
            return;
        }
        long result = op.issue().noWaitWanted() ? readNoWaitFirst(op) : READ_AGAIN;
        if (result == READ_AGAIN) {
            result = call(op);
        }
        AttributeHooks.finish(op, result);
    }

    /** @return the call's result, or -errno: the opcode's row in the engine's table makes it */
    long call(final InFlight op) {
        return OpDef.of(op.opcode()).call().call(this, op);
    }

    /** @return true if {@code [address, address + length)} is registered memory */
    boolean registered(final long address, final long length) {
        return memory.contains(address, length);
    }

    /** @return this thread's memory checks */
    MemoryChecks checks() {
        return checks;
    }

    /** @return {@code op}'s check before the kernel sees it (its row's): 0 or -errno */
    long check(final InFlight op) {
        return OpDef.of(op.opcode()).check().check(this, op);
    }

    /**
     * One attempt that never blocks, for an iocb that waits for readiness (its row's attempt): the threads backend
     * makes it on submit and again each time epoll says the fd is ready.
     *
     * @param started the call was made already (a connect that answered -EINPROGRESS): only its outcome is to be read
     * @return the result, or {@link #NOT_READY} if the fd is not ready yet
     */
    long attemptNow(final InFlight op, final boolean started) {
        return OpDef.of(op.opcode()).attempt().attempt(this, op, started);
    }

    /**
     * @param msgFlags the MSG_* flags the caller gave (0 for a call that takes none): a caller that asked for
     *                 MSG_DONTWAIT itself gets -EAGAIN as its answer
     * @return {@code result}, or {@link #NOT_READY} for -EAGAIN
     */
    static long readyOr(final long result, final int msgFlags) {
        return (result == -Errno.EAGAIN || result == -Errno.EWOULDBLOCK) && (msgFlags & Linux.MSG_DONTWAIT) == 0
            ? NOT_READY : result;
    }

    /** recvmsg through the engine's checked copy of the msghdr (and of its iovecs). */
    long recvmsg(final InFlight op, final int flags) {
        final long checked = checks.msghdr(op);
        return checked < 0 ? checked : Linux.recvmsg(errno, op.fd(), op.memory().msghdr(), flags);
    }

    /** sendmsg (MSG_NOSIGNAL added) through the engine's checked copy of the msghdr (and of its iovecs). */
    long sendmsg(final InFlight op, final int flags) {
        final long checked = checks.msghdr(op);
        return checked < 0 ? checked : Linux.sendmsg(errno, op.fd(), op.memory().msghdr(), flags | Linux.MSG_NOSIGNAL);
    }

    /**
     * splice ({@code copy} false) or copy_file_range: offsets -1 mean "none" (the fd's own position); the engine's
     * copies are advanced.
     */
    long spliceOrCopy(final InFlight op, final long length, final boolean copy) {
        final long offIn = op.offset();
        final long offOut = op.address();
        if (offIn < -1 || offOut < -1 || copy && op.opFlags() != 0) {
            return -Errno.EINVAL;
        }
        pollScratch.putLong(16, offIn);
        pollScratch.putLong(24, offOut);
        final long in = offIn == -1 ? 0 : pollScratch.addressOffset() + 16;
        final long out = offOut == -1 ? 0 : pollScratch.addressOffset() + 24;
        return copy ? Linux.copyFileRange(errno, op.fd(), in, op.mode(), out, length, 0)
            : Linux.splice(errno, op.fd(), in, op.mode(), out, length, op.opFlags());
    }

    long statx(final InFlight op) {
        final long copied = checks.copyPath(op, pathBytes);
        if (copied < 0) {
            return copied;
        }
        return memory.contains(op.offset(), Linux.STATX_SIZE)
            ? Linux.statx(errno, op.fd(), path.address(), op.opFlags(), op.mode(), op.offset()) : -Errno.EFAULT;
    }

    /** sendfile from the iocb's offset (its own copy: the kernel advances it), or from the file position if -1. */
    long sendfile(final InFlight op, final long count) {
        if (op.offset() < -1) {
            return -Errno.EINVAL;
        }
        pollScratch.putLong(8, op.offset());
        return Linux.sendfile(errno, op.mode(), op.fd(), op.offset() == -1 ? 0 : pollScratch.addressOffset() + 8, count);
    }

    /** What {@link #attemptNow} says when the fd is not ready. */
    static final long NOT_READY = Long.MIN_VALUE + 1;

    /** @return the ready POLL* bits of {@code events} (and ERR/HUP), 0 if none within the timeout, or -errno */
    long pollOnce(final int fd, final int events, final int timeoutMillis) {
        pollScratch.putInt(0, fd);
        pollScratch.putShort(4, (short) events);
        pollScratch.putShort(6, (short) 0);
        int r;
        do {
            r = Linux.poll(errno, pollScratch.addressOffset(), 1, timeoutMillis);
        } while (r == -Errno.EINTR);
        return r <= 0 ? r : pollScratch.getShort(6) & 0xFFFF;
    }

    /** @return 0, -errno the connect failed with, or -EAGAIN while it is still in progress */
    long connectOutcome(final int fd) {
        final long ready = pollOnce(fd, Linux.POLLOUT, 0);
        if (ready <= 0) {
            return ready == 0 ? -Errno.EAGAIN : ready;
        }
        pollScratch.putInt(8, 0);
        pollScratch.putInt(12, 4);
        final int r = Linux.getsockopt(errno, fd, Linux.SOL_SOCKET, Linux.SO_ERROR, pollScratch.addressOffset() + 8,
            pollScratch.addressOffset() + 12);
        return r < 0 ? r : -pollScratch.getInt(8);
    }

    long preadv(final InFlight op) {
        final long checked = checks.iovecs(op);
        return checked < 0 ? checked
            : Linux.preadv2(errno, op.fd(), op.memory().iovecs(), op.lengthOrCount(), op.offset(), op.opFlags());
    }

    long pwritev(final InFlight op) {
        final long checked = checks.iovecs(op);
        return checked < 0 ? checked
            : Linux.pwritev2(errno, op.fd(), op.memory().iovecs(), op.lengthOrCount(), op.offset(), op.opFlags());
    }

    /** {@link Operation#transferLength()} */
    long transferLength(final InFlight op) {
        return checks.transferLength(op);
    }

    /** The RWF_NOWAIT attempt {@link Operation#tryNoWaitFirst()} asks for: one preadv2 over the op's own (checked) buffers. */
    long readNoWait(final InFlight op) {
        if (!OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.READS_FILE)) {
            return -Errno.EOPNOTSUPP;
        }
        if (OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.USES_BUFFER)) {
            final long length = Integer.toUnsignedLong(op.lengthOrCount());
            if (!memory.contains(op.address(), length)) {
                return -Errno.EFAULT;
            }
            if (op.offset() < 0) {
                return -Errno.EINVAL; // pread's answer; preadv2 would read at the file position instead
            }
            oneIovec.putLong(0, op.address());
            oneIovec.putLong(8, length);
            return Linux.preadv2(errno, op.fd(), oneIovec.addressOffset(), 1, op.offset(), Linux.RWF_NOWAIT);
        }
        if (op.offset() < 0) {
            // None at the file position: a partial attempt moves it, and reading again would miss those bytes.
            return -Errno.EOPNOTSUPP;
        }
        final long checked = checks.iovecs(op);
        return checked < 0 ? checked
            : Linux.preadv2(errno, op.fd(), op.memory().iovecs(), op.lengthOrCount(), op.offset(), op.opFlags() | Linux.RWF_NOWAIT);
    }

    long open(final InFlight op, final long length) {
        final long copied = checks.copyPath(op, pathBytes);
        return copied < 0 ? copied : Linux.openat(errno, op.fd(), path.address(), op.opFlags(), op.mode());
    }

    /** @return this thread's errno capture area */
    Errno errno() {
        return errno;
    }

    /** @return true if {@code fd} is one of the context's own descriptors, which no iocb may use (-EBADF) */
    boolean isProtected(final int fd) {
        return protectedFds.contains(fd);
    }
}
