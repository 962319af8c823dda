package io.aioring.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Waiting on and waking a shared futex word (one that several processes map), for one thread: it owns its errno
 * capture area and the struct timespec it packs a timeout into, so a wait allocates nothing.
 */
public final class Futex {
    private final Errno errno;
    private final MemorySegment timespec;

    /**
     * A futex caller whose scratch memory lives in {@code arena}.
     *
     * @param arena where the errno capture area and the timespec live (as long as this object is used)
     */
    public Futex(final Arena arena) {
        this.errno = new Errno(arena);
        this.timespec = arena.allocate(16, 8);
    }

    /**
     * FUTEX_WAIT: sleeps while the int at {@code address} holds {@code expected}, at most {@code timeoutNanos}.
     *
     * @param address      the futex word's address (4-byte aligned, in a shared mapping)
     * @param expected     the value the caller saw; if the word differs, it returns at once
     * @param timeoutNanos the longest wait; negative for none
     * @return 0 when woken, -EAGAIN if the word was not {@code expected}, -ETIMEDOUT, or -EINTR
     */
    public int await(final long address, final int expected, final long timeoutNanos) {
        if (timeoutNanos < 0) {
            return Linux.futexWait(errno, address, expected, 0L);
        }
        timespec.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
        timespec.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
        return Linux.futexWait(errno, address, expected, timespec.address());
    }

    /**
     * FUTEX_WAKE.
     *
     * @param address the futex word's address
     * @param count   the most waiters to wake
     * @return the waiters woken, or -errno
     */
    public int wake(final long address, final int count) {
        return Linux.futexWake(errno, address, count);
    }

    /**
     * FUTEX_WAKE without errno capture, for hot paths that only need the wake to be attempted.
     *
     * @param address the futex word's address
     * @param count   the most waiters to wake
     * @return the waiters woken, or -1
     */
    public static long wakeUnchecked(final long address, final int count) {
        return Linux.futexWakeUnchecked(address, count);
    }
}
