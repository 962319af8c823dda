package io.aioring.abi.engine;

import static io.aioring.abi.engine.OpDef.IoUringRoute.COMPLETER;
import static io.aioring.abi.engine.OpDef.ThreadsRoute.WORKER;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.IoUring;
import io.aioring.linux.Linux;

/** fsync, fdatasync: they block by nature, so on io_uring the completer hands them to the kernel. */
final class SyncOps {
    static final OpDef FSYNC = OpDef.define(OpcodeDescriptor.FSYNC, COMPLETER, WORKER,
        (calls, op) -> Linux.fsync(calls.errno(), op.fd()),
        (ring, op, userData, noWait, arena) -> ring.prepFsync(op.fd(), 0, userData));
    static final OpDef FDATASYNC = OpDef.define(OpcodeDescriptor.FDATASYNC, COMPLETER, WORKER,
        (calls, op) -> Linux.fdatasync(calls.errno(), op.fd()),
        (ring, op, userData, noWait, arena) -> ring.prepFsync(op.fd(), IoUring.FSYNC_DATASYNC, userData));

    private SyncOps() {
    }
}
