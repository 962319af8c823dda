package io.aioring.abi.engine;

import java.lang.foreign.Arena;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Checks what an iocb points at against the registered memory and copies what the kernel would read later (iovec
 * arrays, a msghdr, a path) into the iocb's slot: the caller, or anything that can write its memory, could change
 * them between a check and the kernel's own read, so the check and the use must read the same bytes. Both backends
 * use it; one per thread (it owns a view it re-points).
 */
final class MemoryChecks {
    /** The most iovecs one preadv/pwritev may name (Linux's IOV_MAX). */
    static final int IOV_MAX = 1024;
    static final int PATH_MAX = 4096;

    private final MemoryRegistry memory;
    /** Where iocbs' copies are made (the context's arena: they live as long as their slot). */
    private final Arena arena;
    /** Re-pointed at the caller's memory (already checked to be registered) to read it without allocating. */
    private final UnsafeBuffer callerMemory = new UnsafeBuffer(0L, 0);

    MemoryChecks(final MemoryRegistry memory, final Arena arena) {
        this.memory = memory;
        this.arena = arena;
    }

    /** @return true if {@code [address, address + length)} is registered memory */
    boolean registered(final long address, final long length) {
        return memory.contains(address, length);
    }

    /**
     * Copies the iocb's struct msghdr and its iovec array into the slot once and checks every buffer they name
     * (the iovecs, msg_name, msg_control) is registered; the copy then points at the iovec copy. Only the copies
     * reach the kernel, as for preadv.
     *
     * @return 0, or -EFAULT, or -EINVAL (msg_iovlen over IOV_MAX)
     */
    long msghdr(final InFlight op) {
        final OpMemory copies = op.memory();
        if (copies.checked() != 0) {
            return copies.checked() == 1 ? 0 : copies.checked();
        }
        long result = 0;
        if (!memory.contains(op.address(), Linux.MSGHDR_SIZE)) {
            result = -Errno.EFAULT;
        } else {
            final UnsafeBuffer copy = copies.msghdrBuffer(arena);
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
                copy.putLong(Linux.MSGHDR_IOV, copies.iovecBuffer(arena).addressOffset());
            }
        }
        copies.checked(result == 0 ? 1 : result);
        return result;
    }

    /**
     * Copies the iocb's iovec array (registered memory) into the slot once, and checks that every buffer the copy
     * names is registered.
     *
     * @return 0 (the copy is at {@link OpMemory#iovecs()}), or -EINVAL (count) or -EFAULT
     */
    long iovecs(final InFlight op) {
        final OpMemory copies = op.memory();
        if (copies.checked() != 1) {
            if (copies.checked() != 0) {
                return copies.checked();
            }
            final long result = copyAndCheckIovecArray(op, op.address(), op.lengthOrCount());
            copies.checked(result == 0 ? 1 : result);
            return result;
        }
        return 0;
    }

    /** Copies {@code count} iovecs from {@code array} into the slot's iovec copy and checks every buffer they name. */
    private long copyAndCheckIovecArray(final InFlight op, final long array, final int count) {
        if (count < 0 || count > IOV_MAX) {
            return -Errno.EINVAL;
        }
        if (count > 0 && !memory.contains(array, (long) count * Linux.IOVEC_SIZE)) {
            return -Errno.EFAULT;
        }
        final UnsafeBuffer copy = op.memory().iovecBuffer(arena);
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

    /** {@link io.aioring.abi.spi.Operation#transferLength()}: the bytes its buffer, iovecs or msghdr name. */
    long transferLength(final InFlight op) {
        final int flags = OpcodeDescriptor.row(op.opcode()).flags();
        if ((flags & OpcodeDescriptor.USES_BUFFER) != 0) {
            return Integer.toUnsignedLong(op.lengthOrCount());
        }
        final boolean message = (flags & OpcodeDescriptor.USES_MSGHDR) != 0;
        if ((flags & OpcodeDescriptor.USES_IOVECS) != 0 || message) {
            final long checked = message ? msghdr(op) : iovecs(op);
            if (checked < 0) {
                return checked;
            }
            final UnsafeBuffer copy = op.memory().iovecBuffer(arena);
            final long count = message ? op.memory().msghdrBuffer(arena).getLong(Linux.MSGHDR_IOVLEN) : op.lengthOrCount();
            long total = 0;
            for (int i = 0; i < count; i++) {
                total += copy.getLong(i * Linux.IOVEC_SIZE + 8);
            }
            return total;
        }
        return 0;
    }

    /**
     * Copies an iocb's path (registered memory, no NUL inside) into {@code target} and terminates it.
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

    /** Copies the iocb's path into its slot's path buffer, for a kernel that reads it later: 0 or -errno. */
    long copyPathToSlot(final InFlight op) {
        return copyPath(op, op.memory().pathView(arena));
    }
}
