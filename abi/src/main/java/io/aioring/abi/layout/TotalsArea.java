package io.aioring.abi.layout;

import static io.aioring.abi.layout.TotalsDescriptor.*;

import java.lang.invoke.VarHandle;

import io.aioring.ring.Ring;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The engine's side of the totals in the ring's trailer ({@link TotalsDescriptor}): it counts in private memory, on
 * the completion path, and {@link #publish}es the counts into the trailer now and then, one seqlock update for all
 * of them. Counting touches no shared memory, so a trailer that faults (its file truncated under the mapping) can
 * never cost a completion; and the engine never loads a word of the trailer back (any process mapping the ring
 * can write there). One writer at a time: the engine calls it under its post lock.
 */
public final class TotalsArea {
    private static final int LONGS_PER_BLOCK = BLOCK_LENGTH / 8;

    private final AtomicBuffer buffer;
    private final int base;
    private final int opcodes;
    private final long[] counts;
    private long sequence;
    private boolean changed;

    private TotalsArea(final AtomicBuffer buffer, final int base, final int opcodes) {
        this.buffer = buffer;
        this.base = base;
        this.opcodes = opcodes;
        this.counts = new long[opcodes * LONGS_PER_BLOCK];
    }

    /**
     * Formats the totals in {@code ring}'s trailer, zeroed, for {@code opcodes} opcodes.
     *
     * @param ring the ring
     * @param opcodes the opcodes
     * @return the writer, or null if the ring has no trailer that holds them (a ring made before totals)
     */
    public static TotalsArea format(final Ring ring, final int opcodes) {
        if (ring.trailerLength() < trailerFor(opcodes)) {
            return null;
        }
        TotalsDescriptor.format(ring.buffer(), ring.trailerOffset(), opcodes);
        return new TotalsArea(ring.buffer(), ring.trailerOffset(), opcodes);
    }

    /**
     * Counts one completion, in private memory.
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
        counts[first + EVENTS_OFFSET / 8]++;
        if (result < 0) {
            counts[first + ERRORS_OFFSET / 8]++;
        } else if (movesBytes && result > 0) {
            counts[first + BYTES_OFFSET / 8] += result;
        }
        if (pageCache >= 0 && pageCache <= 3) {
            counts[first + PAGE_CACHE_HITS_OFFSET / 8 + pageCache]++;
        }
        if (latencyNanos >= 0) {
            counts[first + LATENCY_OFFSET / 8 + bucketOf(latencyNanos)]++;
            counts[first + SERVICE_OFFSET / 8 + bucketOf(serviceNanos)]++;
        }
        changed = true;
    }

    /**
     * Writes the counts into the trailer if they changed since the last time: the sequence made odd, the counts,
     * the sequence made even (release), so a reader copies all of them from one moment or tries again.
     *
     * @return true if it wrote
     */
    public boolean publish() {
        if (!changed) {
            return false;
        }
        changed = false;
        buffer.putLongRelease(base + SEQUENCE_OFFSET, ++sequence);
        VarHandle.storeStoreFence(); // the odd sequence before any counter it covers
        final int blocks = base + BLOCKS_OFFSET;
        for (int i = 0; i < counts.length; i++) {
            buffer.putLong(blocks + i * 8, counts[i]);
        }
        buffer.putLongRelease(base + SEQUENCE_OFFSET, ++sequence);
        return true;
    }
}
