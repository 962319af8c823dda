package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.aioring.linux.Linux;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * An iocb slot's copies of what its iocb points at, which the kernel reads after the check ({@link MemoryChecks}):
 * an iovec array, a struct msghdr, a path. Each is made in the context's arena the first time the slot needs it,
 * and reused by every later iocb of the slot: no I/O allocates.
 */
final class OpMemory {
    /** The iovec copy (IOV_MAX entries), made on first use. */
    private UnsafeBuffer iovecs;
    /** 0: not copied yet; 1: copied and every buffer registered; negative: the -errno the check gave. */
    private long checked;
    /** The struct msghdr copy, pointing at the iovec copy; made on first use. */
    private UnsafeBuffer msghdr;
    /** Re-pointed at the caller's msghdr (registered memory, checked) for the copy back. */
    private UnsafeBuffer callerMsghdr;
    /** NUL-terminated path copy (PATH_MAX bytes), made on first use. */
    private MemorySegment path;
    private UnsafeBuffer pathView;

    /** A new iocb in the slot: nothing copied yet. */
    void reset() {
        checked = 0;
    }

    /** @return the iovec copy, made in {@code arena} the first time */
    UnsafeBuffer iovecBuffer(final Arena arena) {
        if (iovecs == null) {
            final int bytes = MemoryChecks.IOV_MAX * Linux.IOVEC_SIZE;
            iovecs = new UnsafeBuffer(arena.allocate(bytes, 8).address(), bytes);
        }
        return iovecs;
    }

    /** @return the struct msghdr copy, made in {@code arena} the first time */
    UnsafeBuffer msghdrBuffer(final Arena arena) {
        if (msghdr == null) {
            msghdr = new UnsafeBuffer(arena.allocate(Linux.MSGHDR_SIZE, 8).address(), Linux.MSGHDR_SIZE);
        }
        return msghdr;
    }

    /** @return the path copy, made in {@code arena} the first time */
    MemorySegment pathBuffer(final Arena arena) {
        if (path == null) {
            path = arena.allocate(MemoryChecks.PATH_MAX, 8);
            pathView = new UnsafeBuffer(path.address(), MemoryChecks.PATH_MAX);
        }
        return path;
    }

    /** @return a view of the path copy, made in {@code arena} the first time */
    UnsafeBuffer pathView(final Arena arena) {
        pathBuffer(arena);
        return pathView;
    }

    /** @return the address of the checked msghdr copy (valid once the check passed) */
    long msghdr() {
        return msghdr.addressOffset();
    }

    /** @return the address of the checked iovec copy (valid once the check passed) */
    long iovecs() {
        return iovecs.addressOffset();
    }

    long checked() {
        return checked;
    }

    void checked(final long result) {
        checked = result;
    }

    /**
     * After a recvmsg: copies what the kernel wrote into the msghdr copy (msg_namelen, msg_controllen, msg_flags)
     * back into the caller's msghdr at {@code callerAddress}, as a direct recvmsg would have left it.
     */
    void copyMsghdrBack(final long callerAddress) {
        if (checked != 1 || msghdr == null) {
            return;
        }
        if (callerMsghdr == null) {
            callerMsghdr = new UnsafeBuffer(0L, 0);
        }
        callerMsghdr.wrap(callerAddress, Linux.MSGHDR_SIZE);
        callerMsghdr.putInt(Linux.MSGHDR_NAMELEN, msghdr.getInt(Linux.MSGHDR_NAMELEN));
        callerMsghdr.putLong(Linux.MSGHDR_CONTROLLEN, msghdr.getLong(Linux.MSGHDR_CONTROLLEN));
        callerMsghdr.putInt(Linux.MSGHDR_FLAGS, msghdr.getInt(Linux.MSGHDR_FLAGS));
    }
}
