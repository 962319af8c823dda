package io.aioring.abi;

import io.aioring.abi.linux.Errno;
import io.aioring.abi.linux.Linux;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;

/**
 * The doorbell a reaper rings when it sees {@code OVERFLOW_PENDING}: it increments the header's doorbell word and
 * wakes the context thread, which futex-waits on that word, so that overflowed events move into the room the
 * reaper just made (docs/abi.md 2.7). Works from any process that maps the ring.
 */
public final class Doorbell {
    private Doorbell() {
    }

    /** Rings the doorbell of {@code ring}; @return the doorbell's new value */
    public static int ring(final Ring ring, final Errno errno) {
        final int value = ring.ringDoorbell();
        Linux.futexWake(errno, ring.buffer().addressOffset() + RingDescriptor.DOORBELL_OFFSET, Integer.MAX_VALUE);
        return value;
    }
}
