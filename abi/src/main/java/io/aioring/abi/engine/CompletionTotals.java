package io.aioring.abi.engine;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.layout.TotalsArea;
import io.aioring.abi.spi.Operation;
import io.aioring.abi.spi.PageCacheReading;
import io.aioring.ring.Ring;

/**
 * Counts every completion into the ring's totals (docs/abi.md 2.14) as the poster takes it: its opcode, result,
 * latency and, where it asked for one, its page-cache outcome — the same reading its event carries. Used under the
 * post lock only: one writer. A fault on the ring's pages (its file truncated) ends the totals, never the event.
 */
final class CompletionTotals {
    /** null: the ring has no room for totals (a ring taken over from an engine that made none). */
    private final TotalsArea area;
    private final RingHealth health;

    CompletionTotals(final Ring ring, final RingHealth health) {
        this.area = TotalsArea.format(ring, OpcodeDescriptor.COUNT);
        this.health = health;
    }

    /** Counts {@code op}: one update of the totals, which readers see whole or not at all. */
    void count(final InFlight op) {
        if (area == null || health.mappingLost()) {
            return;
        }
        try {
            area.beginUpdate();
            record(op);
            area.endUpdate();
        } catch (final InternalError e) {
            health.loseMapping(e);
        }
    }

    private void record(final InFlight op) {
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
