package io.aioring.abi.engine;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.Errno;

/** timeout: no call, a time on the scheduler's heap ({@link Scheduler#startTimeout}). */
final class TimeoutOps {
    static final OpDef TIMEOUT = OpDef.define(OpcodeDescriptor.TIMEOUT, OpDef.IoUringRoute.TIMER,
        OpDef.ThreadsRoute.TIMER, TimeoutOps::sleep, null);

    private TimeoutOps() {
    }

    /** The call, for execute (no scheduler): sleeps on the calling thread; -ETIME, or -EINVAL for a negative time. */
    private static long sleep(final SyncCalls calls, final InFlight op) {
        if (op.offset() < 0) {
            return -Errno.EINVAL;
        }
        final long deadline = System.nanoTime() + op.offset();
        for (long left = op.offset(); left > 0; left = deadline - System.nanoTime()) {
            java.util.concurrent.locks.LockSupport.parkNanos(left); // may return early: wait out the rest
        }
        return -Errno.ETIME;
    }
}
