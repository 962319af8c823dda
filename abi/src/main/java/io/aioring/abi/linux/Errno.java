package io.aioring.abi.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * Where a native call leaves errno (FFM's captured call state), one per thread that makes calls, and the errno
 * values aioring names. The {@link Linux} wrappers return {@code -errno} on failure, as the kernel does.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int EMSGSIZE = 90;
    public static final int EOPNOTSUPP = 95;
    public static final int ETIMEDOUT = 110;
    public static final int EALREADY = 114;
    public static final int ECANCELED = 125;

    private static final VarHandle ERRNO = Linker.Option.captureStateLayout()
        .varHandle(MemoryLayout.PathElement.groupElement("errno"));

    final MemorySegment state;

    /** A capture area of its own, in {@code arena}; give each calling thread one. */
    public Errno(final Arena arena) {
        this.state = arena.allocate(Linker.Option.captureStateLayout());
    }

    /** A capture area that lives as long as the JVM (for threads that come and go). */
    public Errno() {
        this(Arena.ofAuto());
    }

    /** @return the errno the last call through this capture area left */
    public int errno() {
        return (int) ERRNO.get(state, 0L);
    }

    /** @return a symbolic name for {@code errno} (positive), e.g. "EBADF", or "errno N" */
    public static String name(final int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EISDIR -> "EISDIR";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case ESPIPE -> "ESPIPE";
            case ENAMETOOLONG -> "ENAMETOOLONG";
            case ENOSYS -> "ENOSYS";
            case EMSGSIZE -> "EMSGSIZE";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case ETIMEDOUT -> "ETIMEDOUT";
            case EALREADY -> "EALREADY";
            case ECANCELED -> "ECANCELED";
            default -> "errno " + errno;
        };
    }

    /** @return "-EBADF" style text for a negative result, or the number */
    public static String describeResult(final long result) {
        return result < 0 && result >= -4095 ? "-" + name((int) -result) : Long.toString(result);
    }
}
