package io.aioring.linux;

import static java.lang.foreign.ValueLayout.*;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * Linux calls that only tests make (pipes, epoll, mincore, posix_fadvise), kept out of the product binding and
 * shared with the other modules' tests through this module's test-jar.
 */
public final class LinuxTestCalls {
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLLIN = 0x1;
    /** struct epoll_event: u32 events, u64 data; packed (12 bytes) on x86-64 only, 16 bytes elsewhere. */
    public static final int EPOLL_EVENT_SIZE = Arch.current() == Arch.X86_64 ? 12 : 16;
    public static final int POSIX_FADV_RANDOM = 1;
    public static final int POSIX_FADV_DONTNEED = 4;

    private static final MethodHandle PIPE2 = Linux.errnoCall("pipe2", JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle EPOLL_CREATE1 = Linux.errnoCall("epoll_create1", JAVA_INT, JAVA_INT);
    private static final MethodHandle EPOLL_CTL = Linux.errnoCall("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final MethodHandle EPOLL_WAIT = Linux.errnoCall("epoll_wait", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT);
    private static final MethodHandle MINCORE = Linux.errnoCall("mincore", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle POSIX_FADVISE = Linux.LINKER.downcallHandle(Linux.LIBC.findOrThrow("posix_fadvise"),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));

    private LinuxTestCalls() {
    }

    /** @param fds the address of two ints that receive the read and write ends */
    public static int pipe2(final Errno e, final long fds, final int flags) {
        try {
            return Linux.check((int) PIPE2.invokeExact(e.state, fds, flags), e);
        } catch (final Throwable t) {
            throw Linux.unexpected(t);
        }
    }

    public static int epollCreate1(final Errno e, final int flags) {
        try {
            return Linux.check((int) EPOLL_CREATE1.invokeExact(e.state, flags), e);
        } catch (final Throwable t) {
            throw Linux.unexpected(t);
        }
    }

    public static int epollCtl(final Errno e, final int epfd, final int op, final int fd, final long event) {
        try {
            return Linux.check((int) EPOLL_CTL.invokeExact(e.state, epfd, op, fd, event), e);
        } catch (final Throwable t) {
            throw Linux.unexpected(t);
        }
    }

    public static int epollWait(final Errno e, final int epfd, final long events, final int max, final int timeoutMillis) {
        try {
            return Linux.check((int) EPOLL_WAIT.invokeExact(e.state, epfd, events, max, timeoutMillis), e);
        } catch (final Throwable t) {
            throw Linux.unexpected(t);
        }
    }

    public static int mincore(final Errno e, final long address, final long length, final long vector) {
        try {
            return Linux.check((int) MINCORE.invokeExact(e.state, address, length, vector), e);
        } catch (final Throwable t) {
            throw Linux.unexpected(t);
        }
    }

    /** @return 0, or -errno (posix_fadvise returns the error itself rather than setting errno) */
    public static int posixFadvise(final int fd, final long offset, final long length, final int advice) {
        try {
            return -(int) POSIX_FADVISE.invokeExact(fd, offset, length, advice);
        } catch (final Throwable t) {
            throw Linux.unexpected(t);
        }
    }
}
