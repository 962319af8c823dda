package io.aioring.abi.engine;

import static io.aioring.abi.engine.OpDef.IoUringRoute.BATCH;
import static io.aioring.abi.engine.OpDef.ThreadsRoute.WORKER;

import io.aioring.abi.layout.OpcodeDescriptor;

/** nop: no call; for measuring the engine itself. */
final class NopOps {
    static final OpDef NOP = OpDef.define(OpcodeDescriptor.NOP, BATCH, WORKER,
        (calls, op) -> 0, (ring, op, userData, noWait, arena) -> ring.prepNop(userData));

    private NopOps() {
    }
}
