package io.aioring.abi.engine;

import static io.aioring.abi.layout.AttributeRecordDescriptor.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.aioring.abi.Opcode;
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
    /** The most iovecs one preadv/pwritev may name (Linux's IOV_MAX). */
    static final int IOV_MAX = 1024;
    static final int PATH_MAX = 4096;

    private final MemoryRegistry memory;
    /** Where iocbs' iovec copies are made (the context's arena: they live as long as their slot). */
    private final Arena arena;
    private final OwnDescriptors protectedFds;
    private final Errno errno;
    private final MemorySegment path;
    private final UnsafeBuffer pathBytes;
    /** Re-pointed at the caller's memory (already checked to be registered) to read it without allocating. */
    private final UnsafeBuffer callerMemory = new UnsafeBuffer(0L, 0);
    /** One struct iovec of native memory, for turning a pread into a preadv2. */
    private final UnsafeBuffer oneIovec;
    /** A struct pollfd (0), a long (8: SO_ERROR and its length, or sendfile's offset), two offsets for splice (16, 24). */
    private final UnsafeBuffer pollScratch;

    SyncCalls(final MemoryRegistry memory, final OwnDescriptors protectedFds, final Arena arena) {
        this.memory = memory;
        this.arena = arena;
        this.protectedFds = protectedFds;
        this.errno = new Errno(arena);
        this.path = arena.allocate(PATH_MAX, 8);
        this.pathBytes = new UnsafeBuffer(path.address(), PATH_MAX);
        this.oneIovec = new UnsafeBuffer(arena.allocate(Linux.IOVEC_SIZE, 8).address(), Linux.IOVEC_SIZE);
        this.pollScratch = new UnsafeBuffer(arena.allocate(32, 8).address(), 32);
        this.cachestatScratch = arena.allocate(Linux.CACHESTAT_SCRATCH_SIZE, 8);
    }

    /**
     * The last fd whose status flags (O_DIRECT) this thread asked for, and the submit call it asked for: an iocb of
     * the same call on the same fd uses them (a batch of reads on one file costs one fcntl, not one each).
     */
    private long flagsCall;
    private int flagsFd = -1;
    private int cachedFlags;
    /** cachestat's range and result. */
    private final MemorySegment cachestatScratch;
    /** False once cachestat(2) answered ENOSYS (a kernel before 6.5): not asked again. */
    private static volatile boolean cachestatAvailable = true;

    /**
     * {@link io.aioring.abi.spi.Operation#measureResidentBytes()}: the bytes of {@code op}'s file range in the page
     * cache now, by cachestat(2); O_DIRECT descriptors are not applicable.
     */
    long residentBytes(final InFlight op) {
        final long length = transferLength(op);
        if (length < 0 || op.offset() < 0 || !cachestatAvailable) {
            return io.aioring.abi.spi.Operation.RESIDENT_UNKNOWN;
        }
        final int flags;
        if (op.submitCall() != 0 && op.submitCall() == flagsCall && op.fd() == flagsFd) {
            flags = cachedFlags; // the same fd in the same submit call: its flags cannot have changed meanwhile
        } else {
            flags = Linux.statusFlags(errno, op.fd());
            if (flags < 0) {
                return io.aioring.abi.spi.Operation.RESIDENT_UNKNOWN;
            }
            flagsCall = op.submitCall();
            flagsFd = op.fd();
            cachedFlags = flags;
        }
        if ((flags & Linux.O_DIRECT) != 0) {
            return io.aioring.abi.spi.Operation.RESIDENT_NOT_APPLICABLE;
        }
        if (length == 0) {
            return 0;
        }
        final long pages = Linux.cachestat(errno, op.fd(), op.offset(), length, cachestatScratch);
        if (pages < 0) {
            if (pages == -Errno.ENOSYS) {
                cachestatAvailable = false;
            }
            return io.aioring.abi.spi.Operation.RESIDENT_UNKNOWN;
        }
        final long spanned = (op.offset() + length - 1) / Linux.PAGE_SIZE - op.offset() / Linux.PAGE_SIZE + 1;
        return pages >= spanned ? length : Math.min(length, pages * Linux.PAGE_SIZE);
    }

    /**
     * On the submitting thread (threads backend): a read first tries {@code RWF_NOWAIT}, which copies from the page
     * cache and never waits. If that was the whole read, the iocb is done here and no worker wakes for it.
     *
     * @return true if {@code op} is finished (its return records built); false if a worker must run it — untouched
     *         if it is not a read, else started, its before hooks run, to be finished by {@link #run}
     */
    boolean tryInline(final InFlight op) {
        if (!Opcode.isRead(op.opcode())) {
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
        op.startedInline(true);
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
        if (op.noWaitWanted()) {
            op.noWaitResult(first);
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
        if (op.startedInline()) {
            // Its RWF_NOWAIT attempt did not return every byte: read the whole range, blocking.
            op.executionPath(Operation.PATH_WORKER);
            AttributeHooks.finish(op, call(op));
            return;
        }
        if (AttributeHooks.start(op, this, path)) {
            return;
        }
        long result = op.noWaitWanted() ? readNoWaitFirst(op) : READ_AGAIN;
        if (result == READ_AGAIN) {
            result = call(op);
        }
        AttributeHooks.finish(op, result);
    }

    /** @return the call's result, or -errno: the opcode's row in the engine's table makes it */
    private long call(final InFlight op) {
        return OpDef.of(op.opcode()).call().call(this, op);
    }

    /** @return true if {@code [address, address + length)} is registered memory */
    boolean registered(final long address, final long length) {
        return memory.contains(address, length);
    }

    /**
     * One attempt that never blocks, for an iocb that waits for readiness (recv, send, accept, poll, and a connect
     * that answered -EINPROGRESS): the threads backend makes it on submit and again each time epoll says the fd is
     * ready.
     *
     * @param connecting a connect already started: only its outcome is to be read
     * @return the result, or {@link #NOT_READY} if the fd is not ready yet
     */
    long attemptNow(final InFlight op, final boolean connecting) {
        if (op.opcode() == Opcode.CONNECT && !connecting) {
            return call(op); // the connect itself: on a non-blocking socket it answers -EINPROGRESS at once
        }
        final long length = Integer.toUnsignedLong(op.lengthOrCount());
        final long r = switch (op.opcode()) {
            case Opcode.RECV -> Linux.recv(errno, op.fd(), op.address(), length, op.opFlags() | Linux.MSG_DONTWAIT);
            case Opcode.SEND -> Linux.send(errno, op.fd(), op.address(), length,
                op.opFlags() | Linux.MSG_DONTWAIT | Linux.MSG_NOSIGNAL);
            // Checked readable first: on a listening socket without O_NONBLOCK, accept4 itself would block.
            case Opcode.ACCEPT -> {
                final long ready = pollOnce(op.fd(), Linux.POLLIN, 0);
                yield ready > 0 ? Linux.accept4(errno, op.fd(), op.opFlags()) : ready == 0 ? -Errno.EAGAIN : ready;
            }
            case Opcode.POLL -> {
                final long ready = pollOnce(op.fd(), op.opFlags(), 0);
                yield ready == 0 ? -Errno.EAGAIN : ready;
            }
            case Opcode.RECVMSG, Opcode.SENDMSG -> message(op, op.opFlags() | Linux.MSG_DONTWAIT);
            case Opcode.CONNECT -> connectOutcome(op.fd());
            default -> call(op);
        };
        // A caller that asked for MSG_DONTWAIT itself gets -EAGAIN as its answer.
        final boolean callerSaidDontWait = (op.opcode() == Opcode.RECV || op.opcode() == Opcode.SEND
            || Opcode.usesMsghdr(op.opcode())) && (op.opFlags() & Linux.MSG_DONTWAIT) != 0;
        return (r == -Errno.EAGAIN || r == -Errno.EWOULDBLOCK) && !callerSaidDontWait ? NOT_READY : r;
    }

    /** recvmsg/sendmsg through the engine's checked copy of the msghdr (and of its iovecs). */
    long message(final InFlight op, final int flags) {
        final long checked = checkMsghdr(op);
        if (checked < 0) {
            return checked;
        }
        return op.opcode() == Opcode.RECVMSG ? Linux.recvmsg(errno, op.fd(), op.msghdr(), flags)
            : Linux.sendmsg(errno, op.fd(), op.msghdr(), flags | Linux.MSG_NOSIGNAL);
    }

    /** splice or copy_file_range: offsets -1 mean "none" (the fd's own position); the engine's copies are advanced. */
    long spliceOrCopy(final InFlight op, final long length) {
        final long offIn = op.offset();
        final long offOut = op.address();
        if (offIn < -1 || offOut < -1 || op.opcode() == Opcode.COPY_FILE_RANGE && op.opFlags() != 0) {
            return -Errno.EINVAL;
        }
        pollScratch.putLong(16, offIn);
        pollScratch.putLong(24, offOut);
        final long in = offIn == -1 ? 0 : pollScratch.addressOffset() + 16;
        final long out = offOut == -1 ? 0 : pollScratch.addressOffset() + 24;
        return op.opcode() == Opcode.SPLICE
            ? Linux.splice(errno, op.fd(), in, op.mode(), out, length, op.opFlags())
            : Linux.copyFileRange(errno, op.fd(), in, op.mode(), out, length, 0);
    }

    long statx(final InFlight op) {
        final long copied = copyPath(op, pathBytes);
        if (copied < 0) {
            return copied;
        }
        return memory.contains(op.offset(), Linux.STATX_SIZE)
            ? Linux.statx(errno, op.fd(), path.address(), op.opFlags(), op.mode(), op.offset()) : -Errno.EFAULT;
    }

    /**
     * Copies the iocb's struct msghdr and its iovec array into the engine's memory once and checks every buffer
     * they name (the iovecs, msg_name, msg_control) is registered; the copy then points at the iovec copy. Only
     * the copies reach the kernel, as for preadv.
     *
     * @return 0, or -EFAULT, or -EINVAL (msg_iovlen over IOV_MAX)
     */
    long checkMsghdr(final InFlight op) {
        if (op.iovecsChecked() != 0) {
            return op.iovecsChecked() == 1 ? 0 : op.iovecsChecked();
        }
        long result = 0;
        if (!memory.contains(op.address(), Linux.MSGHDR_SIZE)) {
            result = -Errno.EFAULT;
        } else {
            final UnsafeBuffer copy = op.msghdrBuffer(arena);
            callerMemory.wrap(op.address(), Linux.MSGHDR_SIZE);
            copy.putBytes(0, callerMemory, 0, Linux.MSGHDR_SIZE);
            final long iovlen = copy.getLong(Linux.MSGHDR_IOVLEN);
            final long name = copy.getLong(Linux.MSGHDR_NAME);
            final long control = copy.getLong(Linux.MSGHDR_CONTROL);
            if (iovlen < 0 || iovlen > IOV_MAX) {
                result = -Errno.EINVAL;
            } else if (name != 0 && !memory.contains(name, Integer.toUnsignedLong(copy.getInt(Linux.MSGHDR_NAMELEN)))
                || control != 0 && !memory.contains(control, copy.getLong(Linux.MSGHDR_CONTROLLEN))) {
                result = -Errno.EFAULT;
            } else {
                result = copyAndCheckIovecArray(op, copy.getLong(Linux.MSGHDR_IOV), (int) iovlen);
                copy.putLong(Linux.MSGHDR_IOV, op.iovecBuffer(arena).addressOffset());
            }
        }
        op.iovecsChecked(result == 0 ? 1 : result);
        return result;
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
    private long connectOutcome(final int fd) {
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
    /** @return 0 if the iovec array and every buffer it names are registered memory, else -errno */
    /**
     * Copies the iocb's iovec array (registered memory) into the engine's own memory once, and checks that every
     * buffer the copy names is registered. Only the copy is handed to the kernel: the caller (another thread, or
     * anything that can write its memory) could change its iovecs between a check and the kernel's own read of
     * them, so the check and the use must read the same bytes.
     *
     * @return 0 (the copy is at {@link InFlight#iovecs()}), or -EINVAL (count) or -EFAULT
     */
    private long checkIovecs(final InFlight op) {
        if (op.iovecsChecked() != 1) {
            return op.iovecsChecked() == 0 ? copyAndCheckIovecs(op) : op.iovecsChecked();
        }
        return 0;
    }

    private long copyAndCheckIovecs(final InFlight op) {
        final long result = copyAndCheckIovecArray(op, op.address(), op.lengthOrCount());
        op.iovecsChecked(result == 0 ? 1 : result);
        return result;
    }

    /** Copies {@code count} iovecs from {@code array} into the slot's iovec copy and checks every buffer they name. */
    private long copyAndCheckIovecArray(final InFlight op, final long array, final int count) {
        if (count < 0 || count > IOV_MAX) {
            return -Errno.EINVAL;
        }
        if (count > 0 && !memory.contains(array, (long) count * Linux.IOVEC_SIZE)) {
            return -Errno.EFAULT;
        }
        final UnsafeBuffer copy = op.iovecBuffer(arena);
        if (count > 0) {
            callerMemory.wrap(array, count * Linux.IOVEC_SIZE);
            copy.putBytes(0, callerMemory, 0, count * Linux.IOVEC_SIZE);
        }
        for (int i = 0; i < count; i++) {
            if (!memory.contains(copy.getLong(i * Linux.IOVEC_SIZE), copy.getLong(i * Linux.IOVEC_SIZE + 8))) {
                return -Errno.EFAULT;
            }
        }
        return 0;
    }

    long vectored(final InFlight op) {
        final long checked = checkIovecs(op);
        if (checked < 0) {
            return checked;
        }
        final int count = op.lengthOrCount();
        return op.opcode() == Opcode.PREADV
            ? Linux.preadv2(errno, op.fd(), op.iovecs(), count, op.offset(), op.opFlags())
            : Linux.pwritev2(errno, op.fd(), op.iovecs(), count, op.offset(), op.opFlags());
    }

    /** {@link Operation#transferLength()} */
    long transferLength(final InFlight op) {
        if (Opcode.usesBuffer(op.opcode())) {
            return Integer.toUnsignedLong(op.lengthOrCount());
        }
        final boolean message = Opcode.usesMsghdr(op.opcode());
        if (Opcode.usesIovecs(op.opcode()) || message) {
            final long checked = message ? checkMsghdr(op) : checkIovecs(op);
            if (checked < 0) {
                return checked;
            }
            final UnsafeBuffer copy = op.iovecBuffer(arena);
            final long count = message ? op.msghdrBuffer(arena).getLong(Linux.MSGHDR_IOVLEN) : op.lengthOrCount();
            long total = 0;
            for (int i = 0; i < count; i++) {
                total += copy.getLong(i * Linux.IOVEC_SIZE + 8);
            }
            return total;
        }
        return 0;
    }

    /** The RWF_NOWAIT attempt {@link Operation#tryNoWaitFirst()} asks for: one preadv2 over the op's own (checked) buffers. */
    long readNoWait(final InFlight op) {
        if (op.opcode() == Opcode.PREAD) {
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
        if (op.opcode() == Opcode.PREADV) {
            final long checked = checkIovecs(op);
            return checked < 0 ? checked
                : Linux.preadv2(errno, op.fd(), op.iovecs(), op.lengthOrCount(), op.offset(), op.opFlags() | Linux.RWF_NOWAIT);
        }
        return -Errno.EOPNOTSUPP;
    }

    long open(final InFlight op, final long length) {
        final long copied = copyPath(op, pathBytes);
        return copied < 0 ? copied : Linux.openat(errno, op.fd(), path.address(), op.opFlags(), op.mode());
    }

    /**
     * Copies an openat iocb's path (registered memory, no NUL inside) into {@code target} and terminates it.
     *
     * @return 0, or -ENAMETOOLONG, -ENOENT (empty), -EFAULT, -EINVAL (a NUL inside)
     */
    long copyPath(final InFlight op, final UnsafeBuffer target) {
        final long length = Integer.toUnsignedLong(op.lengthOrCount());
        if (length >= PATH_MAX) {
            return -Errno.ENAMETOOLONG;
        }
        if (length == 0) {
            return -Errno.ENOENT;
        }
        if (!memory.contains(op.address(), length)) {
            return -Errno.EFAULT;
        }
        final int bytes = (int) length;
        callerMemory.wrap(op.address(), bytes);
        target.putBytes(0, callerMemory, 0, bytes);
        for (int i = 0; i < bytes; i++) {
            if (target.getByte(i) == 0) {
                return -Errno.EINVAL;
            }
        }
        target.putByte(bytes, (byte) 0);
        return 0;
    }

    /**
     * For a backend that hands the iocb's addresses to the kernel itself: the same checks the calls here make.
     *
     * @return 0 if the buffer, or the iovec array and every buffer it names, is registered memory; else -errno
     */
    long checkBuffers(final InFlight op) {
        if (Opcode.usesBuffer(op.opcode())) {
            return memory.contains(op.address(), Integer.toUnsignedLong(op.lengthOrCount())) ? 0 : -Errno.EFAULT;
        }
        if (Opcode.usesMsghdr(op.opcode())) {
            return checkMsghdr(op);
        }
        if (op.opcode() == Opcode.STATX) {
            return memory.contains(op.offset(), Linux.STATX_SIZE) ? 0 : -Errno.EFAULT;
        }
        return Opcode.usesIovecs(op.opcode()) ? checkIovecs(op) : 0;
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
