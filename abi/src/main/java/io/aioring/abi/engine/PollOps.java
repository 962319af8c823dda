package io.aioring.abi.engine;

import static io.aioring.abi.engine.OpDef.IoUringRoute.COMPLETER;
import static io.aioring.abi.engine.OpDef.ThreadsRoute.READINESS;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

/** poll: waits until the fd reports one of op_flags' POLL* bits; with MULTISHOT, an event per wake-up. */
final class PollOps {
    static final OpDef POLL = OpDef.define(OpcodeDescriptor.POLL, COMPLETER, READINESS,
        (calls, op) -> calls.pollOnce(op.fd(), op.opFlags(), -1),
        (ring, op, userData, noWait, arena) -> ring.prepPollAdd(op.fd(), op.opFlags(), op.multishot(), userData))
        .withAttempt((calls, op, started) -> {
            final long ready = calls.pollOnce(op.fd(), op.opFlags(), 0);
            return SyncCalls.readyOr(ready == 0 ? -Errno.EAGAIN : ready, 0);
        })
        .withCompletion(OpDef.Completion.MULTISHOT_WAKEUP);

    private PollOps() {
    }
}
