package io.aioring.abi.engine;

import java.util.Arrays;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

/**
 * The context's fixed fd slots: a table of file descriptors the context owns, which an iocb names by index
 * (iocb flag {@code FIXED_FD}) instead of by fd, and which {@code openat} and {@code accept} can fill
 * ({@code TO_SLOT}). So a chain can open a file, use it and close it without the application ever holding its fd.
 *
 * <p>Each slot is empty, reserved (an openat or accept will fill it), or holds an fd with a count of running iocbs
 * that use it. A close of a slot in use is refused (-EBUSY) rather than closing an fd under a running call. Not on
 * the hot path: one lock.
 */
final class FdSlots {
    private static final int EMPTY = -1;
    private static final int RESERVED = -2;

    private final int[] fds;
    private final int[] users;

    FdSlots(final int count) {
        this.fds = new int[count];
        this.users = new int[count];
        Arrays.fill(fds, EMPTY);
    }

    int count() {
        return fds.length;
    }

    /** @return the slot's fd, counted as used until {@link #release}; or -EBADF (no such slot, or empty) */
    synchronized int acquire(final int slot) {
        if (slot < 0 || slot >= fds.length || fds[slot] < 0) {
            return -Errno.EBADF;
        }
        users[slot]++;
        return fds[slot];
    }

    synchronized void release(final int slot) {
        users[slot]--;
    }

    /**
     * Reserves a slot for the fd an openat or accept will make.
     *
     * @param slot the slot, or -1 for the lowest empty one
     * @return the slot reserved; or -EINVAL (no such slot), -EBUSY (not empty), -ENFILE (no empty slot)
     */
    synchronized int reserve(final long slot) {
        if (slot == -1) {
            for (int i = 0; i < fds.length; i++) {
                if (fds[i] == EMPTY) {
                    fds[i] = RESERVED;
                    return i;
                }
            }
            return -Errno.ENFILE;
        }
        if (slot < 0 || slot >= fds.length) {
            return -Errno.EINVAL;
        }
        if (fds[(int) slot] != EMPTY) {
            return -Errno.EBUSY;
        }
        fds[(int) slot] = RESERVED;
        return (int) slot;
    }

    /** Fills a reserved slot with the fd its openat or accept made (result >= 0), or empties it again. */
    synchronized void settle(final int slot, final long result) {
        fds[slot] = result >= 0 ? (int) result : EMPTY;
    }

    /**
     * Empties a slot for a close: the caller closes the fd returned.
     *
     * @return the fd; or -EBADF (no such slot, or empty), -EBUSY (a running iocb uses it)
     */
    synchronized int detach(final int slot) {
        if (slot < 0 || slot >= fds.length || fds[slot] < 0) {
            return -Errno.EBADF;
        }
        if (users[slot] > 0) {
            return -Errno.EBUSY;
        }
        final int fd = fds[slot];
        fds[slot] = EMPTY;
        return fd;
    }

    /** Closes every fd still in a slot; for destroy, once nothing runs. */
    synchronized void closeAll(final Errno errno) {
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] >= 0) {
                Linux.close(errno, fds[i]);
            }
            fds[i] = EMPTY;
        }
    }
}
