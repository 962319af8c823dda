package io.aioring.abi.layout;

import static io.aioring.abi.layout.TotalsDescriptor.*;

import java.lang.invoke.VarHandle;

import io.aioring.ring.Ring;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The engine's side of the totals in the ring's trailer ({@link TotalsDescriptor}): it counts in private copies and
 * stores each new value, never loading one back (any process mapping the ring can write there). One writer at a
 * time: the engine calls it under its post lock. Readers take {@link TotalsSnapshot}s.
 */
public final class TotalsArea {
    private static final int LONGS_PER_BLOCK = BLOCK_LENGTH / 8;

    private final AtomicBuffer buffer;
    private final int base;
    private final int opcodes;
    private final long[] copy;
    private long sequence;
    private boolean updating;

    private TotalsArea(final AtomicBuffer buffer, final int base, final int opcodes) {
        this.buffer = buffer;
        this.base = base;
        this.opcodes = opcodes;
        this.copy = new long[opcodes * LONGS_PER_BLOCK];
    }

    /**
     * Formats the totals in {@code ring}'s trailer, zeroed, for {@code opcodes} opcodes.
     *
     * @return the writer, or null if the ring has no trailer that holds them (a ring made before totals)
     */
    public static TotalsArea format(final Ring ring, final int opcodes) {
        if (ring.trailerLength() < trailerFor(opcodes)) {
            return null;
        }
        TotalsDescriptor.format(ring.buffer(), ring.trailerOffset(), opcodes);
        return new TotalsArea(ring.buffer(), ring.trailerOffset(), opcodes);
    }

    /** Starts an update: readers who look now retry until {@link #endUpdate()}. Idempotent until then. */
    public void beginUpdate() {
        if (!updating) {
            updating = true;
            buffer.putLongRelease(base + SEQUENCE_OFFSET, ++sequence);
            VarHandle.storeStoreFence(); // the odd sequence before any counter it covers
        }
    }

    /** Ends an update begun by {@link #beginUpdate()}; nothing if none was begun. */
    public void endUpdate() {
        if (updating) {
            updating = false;
            buffer.putLongRelease(base + SEQUENCE_OFFSET, ++sequence);
        }
    }

    /**
     * Counts one completion, inside an update.
     *
     * @param opcode         its opcode (others than [0, opcodes) are not counted)
     * @param result         its result
     * @param movesBytes     its opcode moves bytes: a positive result is a byte count
     * @param pageCache      its page-cache outcome ({@code PageCacheReading}: 0 hit .. 3 not applicable), or -1
     * @param latencyNanos   submit to completion, or -1 if it has no times
     * @param serviceNanos   start to completion
     */
    public void record(final int opcode, final long result, final boolean movesBytes, final int pageCache,
                       final long latencyNanos, final long serviceNanos) {
        if (opcode < 0 || opcode >= opcodes) {
            return;
        }
        final int first = opcode * LONGS_PER_BLOCK;
        final int block = base + blockOffset(opcode);
        add(first, block, EVENTS_OFFSET, 1);
        if (result < 0) {
            add(first, block, ERRORS_OFFSET, 1);
        } else if (movesBytes && result > 0) {
            add(first, block, BYTES_OFFSET, result);
        }
        if (pageCache >= 0 && pageCache <= 3) {
            add(first, block, PAGE_CACHE_HITS_OFFSET + pageCache * 8, 1);
        }
        if (latencyNanos >= 0) {
            add(first, block, LATENCY_OFFSET + bucketOf(latencyNanos) * 8, 1);
            add(first, block, SERVICE_OFFSET + bucketOf(serviceNanos) * 8, 1);
        }
    }

    private void add(final int first, final int block, final int field, final long amount) {
        final int i = first + field / 8;
        final long value = copy[i] + amount;
        copy[i] = value;
        buffer.putLong(block + field, value);
    }
}
