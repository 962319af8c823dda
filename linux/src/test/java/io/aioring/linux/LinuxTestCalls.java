package io.aioring.linux;

import static java.lang.foreign.ValueLayout.*;

import java.lang.invoke.MethodHandle;

/**
 * Linux calls that only tests make (pipes, mincore), kept out of the product binding and
 * shared with the other modules' tests through this module's test-jar.
 */
public final class LinuxTestCalls {
    public static final int POSIX_FADV_RANDOM = 1;
    public static final int POSIX_FADV_DONTNEED = Linux.POSIX_FADV_DONTNEED;

    private static final MethodHandle PIPE2 = Linux.errnoCall("pipe2", JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SOCKETPAIR = Linux.errnoCall("socketpair", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final MethodHandle MINCORE = Linux.errnoCall("mincore", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);

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

    /** @param fds the address of two ints that receive the two ends */
    public static int socketpair(final Errno e, final int domain, final int type, final int protocol, final long fds) {
        try {
            return Linux.check((int) SOCKETPAIR.invokeExact(e.state, domain, type, protocol, fds), e);
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

    /** @return 0, or -errno */
    public static int posixFadvise(final int fd, final long offset, final long length, final int advice) {
        return Linux.posixFadvise(fd, offset, length, advice);
    }

    /** @return whether an io_uring worker (io-wq) started for the thread {@code tid} runs in this process */
    public static boolean hasIoUringWorkerOf(final int tid) throws java.io.IOException {
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (final java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
                try {
                    if (java.nio.file.Files.readString(task.resolve("comm")).trim().equals("iou-wrk-" + tid)) {
                        return true;
                    }
                } catch (final java.io.IOException gone) {
                    // the thread ended while we looked
                }
            }
        }
        return false;
    }
}
