package io.aioring.abi.engine;

import static io.aioring.abi.engine.OpDef.IoUringRoute.CALLS_POOL;
import static io.aioring.abi.engine.OpDef.IoUringRoute.COMPLETER;
import static io.aioring.abi.engine.OpDef.ThreadsRoute.WORKER;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.Errno;

/**
 * sendfile, splice, copy_file_range: bytes from one descriptor to another (mode names the one written). io_uring has
 * no sendfile or copy_file_range: the backend's pool of calling threads makes them.
 */
final class TransferOps {
    static final OpDef SENDFILE = OpDef.define(OpcodeDescriptor.SENDFILE, CALLS_POOL, WORKER,
        (calls, op) -> calls.sendfile(op, Integer.toUnsignedLong(op.lengthOrCount())), null);
    static final OpDef SPLICE = OpDef.define(OpcodeDescriptor.SPLICE, COMPLETER, WORKER,
        (calls, op) -> calls.spliceOrCopy(op, Integer.toUnsignedLong(op.lengthOrCount()), false),
        (ring, op, userData, noWait, arena) -> ring.prepSplice(op.fd(), op.offset(), op.mode(), op.address(),
            op.lengthOrCount(), op.opFlags(), userData))
        // As the threads backend answers; the kernel would read -5 as a huge offset.
        .withCheck((calls, op) -> op.offset() < -1 || op.address() < -1 ? -Errno.EINVAL : 0);
    static final OpDef COPY_FILE_RANGE = OpDef.define(OpcodeDescriptor.COPY_FILE_RANGE, CALLS_POOL, WORKER,
        (calls, op) -> calls.spliceOrCopy(op, Integer.toUnsignedLong(op.lengthOrCount()), true), null);

    private TransferOps() {
    }
}
