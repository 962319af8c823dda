package io.aioring.abi.engine;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.Errno;

/** timeout: no call, a time on the scheduler's heap ({@link Scheduler#startTimeout}). */
final class TimeoutOps {
    static final OpDef TIMEOUT = OpDef.define(OpcodeDescriptor.TIMEOUT, OpDef.IoUringRoute.TIMER,
        OpDef.ThreadsRoute.TIMER, (calls, op) -> -Errno.EINVAL, null);

    private TimeoutOps() {
    }
}
