package io.aioring.abi.engine;

import io.aioring.abi.layout.IocbDescriptor;
import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.Errno;

/**
 * The descriptors a context holds for itself: the ring and overflow files, the eventfd, its socket and the
 * reapers' connections to it, the io_uring instance and the threads' own eventfds and epoll. An iocb that names one
 * of them in an fd field completes -EBADF without a call, as io_uring refuses I/O on its own ring: a program that
 * closed an fd just before setup may still hold its number, and an ftruncate or close on it would break the
 * context under every reaper.
 *
 * <p>Read on every submit (a plain array, replaced whole when one is added or removed), so no lock on that path.
 */
final class OwnDescriptors {
    private volatile int[] fds = new int[0];

    synchronized void add(final int fd) {
        if (fd < 0 || contains(fd)) {
            return;
        }
        final int[] now = java.util.Arrays.copyOf(fds, fds.length + 1);
        now[now.length - 1] = fd;
        fds = now;
    }

    /** Called before the descriptor is closed: after it, its number is free for the program's own files. */
    synchronized void remove(final int fd) {
        final int[] now = fds;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == fd) {
                final int[] less = new int[now.length - 1];
                System.arraycopy(now, 0, less, 0, i);
                System.arraycopy(now, i + 1, less, i, now.length - i - 1);
                fds = less;
                return;
            }
        }
    }

    boolean contains(final int fd) {
        if (fd < 0) {
            return false;
        }
        for (final int own : fds) {
            if (own == fd) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return -EBADF if {@code op} names one of these descriptors in its fd field (unless that is an fd slot) or, for
     *         the calls with a second descriptor (sendfile, splice, copy_file_range), in its mode field; else 0
     */
    long refusal(final InFlight op) {
        final int opcode = op.opcode();
        if (OpcodeDescriptor.has(opcode, OpcodeDescriptor.NO_FD)) {
            return 0;
        }
        final boolean slot = (op.iocbFlags() & IocbDescriptor.FLAG_FIXED_FD) != 0;
        if (!slot && contains(op.fd())) {
            return -Errno.EBADF;
        }
        return OpcodeDescriptor.has(opcode, OpcodeDescriptor.SECOND_FD) && contains(op.mode()) ? -Errno.EBADF : 0;
    }
}
