package io.aioring.abi.engine;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.layout.TotalsArea;
import io.aioring.abi.spi.Operation;
import io.aioring.abi.spi.PageCacheReading;
import io.aioring.ring.Ring;

/**
 * Counts every completion for the ring's totals (docs/abi.md 2.14) as the poster takes it: its opcode, result,
 * latency and, where it asked for one, its page-cache outcome — the same reading its event carries. Counting is
 * private; the context thread publishes the counts into the trailer every heartbeat, just after it has looked at the
 * file's size, and destroy once more before it closes the ring. A write to the trailer that faulted on the
 * completion path (its file truncated) could surface after the write, as the JVM raises such a fault, and cost the
 * completion being posted; none is made there. Used under the post lock only: one writer.
 */
final class CompletionTotals {
    /** null: the ring has no room for totals (a ring taken over from an engine that made none). */
    private final TotalsArea area;
    private final RingHealth health;
    /** The poster's lock: what counts and what publishes never run at once. */
    private final java.util.concurrent.locks.ReentrantLock postLock;

    CompletionTotals(final Ring ring, final RingHealth health, final java.util.concurrent.locks.ReentrantLock postLock) {
        this.area = TotalsArea.format(ring, OpcodeDescriptor.COUNT);
        this.health = health;
        this.postLock = postLock;
    }

    /** Publishes what was counted since the last time, unless the ring's pages may be gone; takes the post lock. */
    void publish() {
        if (area == null) {
            return;
        }
        postLock.lock();
        try {
            if (!health.mappingLost()) {
                area.publish();
            }
        } catch (final InternalError e) {
            health.loseMapping(e);
        } finally {
            postLock.unlock();
        }
    }

    /** Counts a completion whose event never passes the poster (awaited, or executed); takes the post lock. */
    void countAlone(final InFlight op) {
        postLock.lock();
        try {
            count(op);
        } finally {
            postLock.unlock();
        }
    }

    /** Counts {@code op}, in private memory; under the post lock. */
    void count(final InFlight op) {
        if (area == null) {
            return;
        }
        final int opcode = op.opcode();
        final long result = op.result();
        final long resident = op.residentBytes();
        final long noWait = op.noWaitResult();
        final int pageCache = resident == Operation.RESIDENT_UNKNOWN && noWait == Operation.NO_ATTEMPT
            ? PageCacheReading.UNKNOWN
            : PageCacheReading.outcome(op.askedBytes(), resident, noWait, result);
        final long submit = op.submitNanos();
        final long complete = op.completeNanos();
        long latency = -1;
        long service = 0;
        if (submit != 0 && complete != 0) {
            final long started = op.startNanos() != 0 ? op.startNanos() : complete;
            latency = Math.max(0, complete - submit);
            service = Math.max(0, complete - started);
        }
        area.record(opcode, result, OpcodeDescriptor.has(opcode, OpcodeDescriptor.MOVES_BYTES), pageCache, latency, service);
    }
}
