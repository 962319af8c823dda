package io.aioring.abi.engine;

import static io.aioring.abi.engine.OpDef.IoUringRoute.CALLS_POOL;
import static io.aioring.abi.engine.OpDef.IoUringRoute.COMPLETER;
import static io.aioring.abi.engine.OpDef.ThreadsRoute.WORKER;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

/**
 * statx, fallocate, ftruncate: file-system calls that may block, from the completer on io_uring; ftruncate from the
 * pool of calling threads (io_uring has it only from Linux 6.9). statx's path reaches the kernel as the engine's
 * NUL-terminated copy.
 */
final class FsOps {
    static final OpDef STATX = OpDef.define(OpcodeDescriptor.STATX, COMPLETER, WORKER, (calls, op) -> calls.statx(op),
        (ring, op, userData, noWait, arena) -> ring.prepStatx(op.fd(), op.memory().pathBuffer(arena).address(), op.opFlags(),
            op.mode(), op.offset(), userData))
        // The path is copied into the slot (the kernel reads it later) and the statx buffer must be registered.
        .withCheck((calls, op) -> {
            final long copied = calls.checks().copyPathToSlot(op);
            return copied < 0 ? copied : calls.registered(op.offset(), Linux.STATX_SIZE) ? 0 : -Errno.EFAULT;
        });
    static final OpDef FALLOCATE = OpDef.define(OpcodeDescriptor.FALLOCATE, COMPLETER, WORKER,
        (calls, op) -> Linux.fallocate(calls.errno(), op.fd(), op.opFlags(), op.offset(), op.address()),
        (ring, op, userData, noWait, arena) -> ring.prepFallocate(op.fd(), op.opFlags(), op.offset(), op.address(), userData));
    static final OpDef FTRUNCATE = OpDef.define(OpcodeDescriptor.FTRUNCATE, CALLS_POOL, WORKER,
        (calls, op) -> Linux.ftruncate(calls.errno(), op.fd(), op.offset()), null);

    private FsOps() {
    }
}
