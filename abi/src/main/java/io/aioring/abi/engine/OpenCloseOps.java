package io.aioring.abi.engine;

import static io.aioring.abi.engine.OpDef.IoUringRoute.COMPLETER;
import static io.aioring.abi.engine.OpDef.ThreadsRoute.WORKER;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.IoUring;
import io.aioring.linux.Linux;

/**
 * openat, close: from the completer on io_uring (an open may block on the file system). openat's path reaches the
 * kernel as the engine's NUL-terminated copy; close refuses the context's own descriptors.
 */
final class OpenCloseOps {
    static final OpDef OPENAT = OpDef.define(OpcodeDescriptor.OPENAT, COMPLETER, WORKER,
        (calls, op) -> calls.open(op, Integer.toUnsignedLong(op.lengthOrCount())),
        (ring, op, userData, noWait, arena) -> ring.prepRw(IoUring.OP_OPENAT, op.fd(), op.memory().pathBuffer(arena).address(),
            op.mode(), 0, op.opFlags(), userData))
        .withCheck((calls, op) -> calls.checks().copyPathToSlot(op));
    static final OpDef CLOSE = OpDef.define(OpcodeDescriptor.CLOSE, COMPLETER, WORKER,
        (calls, op) -> calls.isProtected(op.fd()) ? -Errno.EBADF : Linux.close(calls.errno(), op.fd()),
        (ring, op, userData, noWait, arena) -> ring.prepRw(IoUring.OP_CLOSE, op.fd(), 0, 0, 0, 0, userData))
        .withCheck((calls, op) -> calls.isProtected(op.fd()) ? -Errno.EBADF : 0)
        .withClosesSlot();

    private OpenCloseOps() {
    }
}
