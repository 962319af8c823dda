package io.aioring.abi.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.junit.jupiter.api.Test;

/**
 * The engine's opcode table, row by row: every opcode has one, on both backends, and each row agrees with the
 * opcode's layout row (which ContextAbiDocTest checks against docs/abi.md 2.4).
 */
class OpDefTest {
    @Test
    void everyOpcodeHasARowThatAgreesWithItsLayoutRow() {
        for (int code = 0; code < OpcodeDescriptor.COUNT; code++) {
            final OpDef def = OpDef.of(code);
            final OpcodeDescriptor.Row row = OpcodeDescriptor.row(code);
            assertSame(row, def.row(), "opcode " + code + "'s table row names its layout row");
            assertNotNull(def.ioUring(), row.name() + ": a route on io_uring");
            assertNotNull(def.threads(), row.name() + ": a route on threads");
            assertNotNull(def.call(), row.name() + ": a blocking call (execute, and the threads backend, make it)");
            assertNotNull(def.check(), row.name() + ": a check");
            final boolean sqe = def.ioUring() == OpDef.IoUringRoute.BATCH || def.ioUring() == OpDef.IoUringRoute.COMPLETER;
            assertEquals(sqe, def.prep() != null, row.name() + ": a prep exactly when io_uring takes an SQE for it");
            final boolean waits = def.threads() == OpDef.ThreadsRoute.READINESS
                || def.threads() == OpDef.ThreadsRoute.WORKER_THEN_READINESS;
            assertEquals(row.has(OpcodeDescriptor.WAITS_FOR_READINESS), waits, row.name() + ": waits for readiness");
            assertEquals(waits, def.attempt() != null, row.name() + ": an attempt exactly when it waits for readiness");
            final boolean multishot = def.completion() == OpDef.Completion.MULTISHOT_DRAIN
                || def.completion() == OpDef.Completion.MULTISHOT_WAKEUP;
            assertEquals(row.has(OpcodeDescriptor.MULTISHOT), multishot, row.name() + ": multishot completion");
            assertEquals(def.ioUring() == OpDef.IoUringRoute.TIMER, def.threads() == OpDef.ThreadsRoute.TIMER,
                row.name() + ": a timer on both backends or on neither");
        }
    }

    @Test
    void rowsCarryWhatTheirCallsNeed() {
        assertEquals(Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, OpDef.of(OpcodeDescriptor.ACCEPT).opFlagsAllowed(),
            "accept4 takes SOCK_NONBLOCK and SOCK_CLOEXEC only");
        assertEquals(~0, OpDef.of(OpcodeDescriptor.RECV).opFlagsAllowed(), "recv passes MSG_* on to the kernel");
        assertTrue(OpDef.of(OpcodeDescriptor.CLOSE).closesSlot(), "a FIXED_FD close empties its slot");
        assertNotNull(OpDef.of(OpcodeDescriptor.RECVMSG).done(), "recvmsg writes the msghdr back");
        for (int code = 0; code < OpcodeDescriptor.COUNT; code++) {
            if (code != OpcodeDescriptor.CLOSE) {
                assertTrue(!OpDef.of(code).closesSlot(), OpcodeDescriptor.row(code).name() + " uses its slot");
            }
            if (code != OpcodeDescriptor.RECVMSG) {
                assertNull(OpDef.of(code).done(), OpcodeDescriptor.row(code).name() + " has nothing to do after");
            }
        }
    }

    @Test
    void anUnknownOpcodeOnlyFails() {
        for (final int code : new int[] {-1, OpcodeDescriptor.COUNT, 0xFFFF}) {
            final OpDef def = OpDef.of(code);
            assertEquals(-Errno.EINVAL, def.call().call(null, null), "opcode " + code);
            assertNull(def.prep(), "opcode " + code + " never reaches an SQE");
        }
    }
}
