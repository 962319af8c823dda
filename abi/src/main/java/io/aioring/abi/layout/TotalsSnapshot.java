package io.aioring.abi.layout;

import static io.aioring.abi.layout.TotalsDescriptor.*;

import java.lang.invoke.VarHandle;

import io.aioring.ring.Ring;

import org.agrona.concurrent.AtomicBuffer;

/**
 * A copy of a context's totals ({@link TotalsDescriptor}) taken as one consistent snapshot: the sequence was the
 * same even number before and after the copy. The layout words are checked once, at {@link #of}; every later read
 * is bounded by what was checked then, so a process that scribbles on the trailer can make the numbers wrong but
 * never make a reader read outside it.
 */
public final class TotalsSnapshot {
    private static final int LONGS_PER_BLOCK = BLOCK_LENGTH / 8;
    /** How many times {@link #take} tries for a consistent copy before it settles for the last one. */
    private static final int ATTEMPTS = 10_000;

    private final AtomicBuffer buffer;
    private final int base;
    private final int opcodes;
    private final long[] values;
    private boolean consistent;

    private TotalsSnapshot(final AtomicBuffer buffer, final int base, final int opcodes) {
        this.buffer = buffer;
        this.base = base;
        this.opcodes = opcodes;
        this.values = new long[opcodes * LONGS_PER_BLOCK];
    }

    /**
     * {@return a snapshot of {@code ring}'s totals (empty until {@link #take}), or null if the ring has none (no
     * {@link ContextDescriptor#COMPAT_TOTALS}, or no trailer)}
     *
     * @param ring the ring
     * @throws io.aioring.ring.RingFormatException if the ring says it has totals but their layout words are not this build's or do
     *         not fit the trailer
     */
    public static TotalsSnapshot of(final Ring ring) {
        if ((ring.compatFeatures() & ContextDescriptor.COMPAT_TOTALS) == 0 || ring.trailerLength() == 0) {
            return null;
        }
        final AtomicBuffer buffer = ring.buffer();
        final int base = ring.trailerOffset();
        final int opcodes = buffer.getIntVolatile(base + OPCODE_COUNT_OFFSET);
        final int buckets = buffer.getInt(base + BUCKET_COUNT_OFFSET);
        final int blockLength = buffer.getInt(base + BLOCK_LENGTH_OFFSET);
        if (buckets != BUCKETS || blockLength != BLOCK_LENGTH) {
            throw new io.aioring.ring.RingFormatException("the ring's totals have " + buckets + " buckets in blocks of " + blockLength
                + " bytes; this build reads " + BUCKETS + " in blocks of " + BLOCK_LENGTH);
        }
        if (opcodes <= 0 || (long) BLOCKS_OFFSET + (long) opcodes * BLOCK_LENGTH > ring.trailerLength()) {
            throw new io.aioring.ring.RingFormatException("the ring's totals say " + Integer.toUnsignedString(opcodes)
                + " opcodes, which its " + ring.trailerLength() + "-byte trailer cannot hold");
        }
        return new TotalsSnapshot(buffer, base, opcodes);
    }

    /**
     * Copies the totals now.
     *
     * @return true if the copy is consistent; false if the engine (or a scribbler) kept the sequence moving or odd
     *         through every attempt: the copy then holds the last attempt's values
     */
    public boolean take() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            final long before = buffer.getLongVolatile(base + SEQUENCE_OFFSET);
            if ((before & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            copy();
            VarHandle.loadLoadFence(); // the counters before the second look at the sequence
            if (buffer.getLongVolatile(base + SEQUENCE_OFFSET) == before) {
                consistent = true;
                return true;
            }
        }
        copy();
        consistent = false;
        return false;
    }

    private void copy() {
        final int blocks = base + BLOCKS_OFFSET;
        for (int i = 0; i < values.length; i++) {
            values[i] = buffer.getLong(blocks + i * 8);
        }
    }

    /** {@return whether the last {@link #take} was consistent} */
    public boolean consistent() {
        return consistent;
    }

    /** {@return the opcodes counted: blocks 0 to this, exclusive} */
    public int opcodes() {
        return opcodes;
    }

    /**
     * {@return that counter of {@code opcode}, or 0 for an opcode with no block}
     *
     * @param field a block field's offset ({@link TotalsDescriptor#EVENTS_OFFSET} ... or a histogram bucket's)
     * @param opcode the opcode
     */
    public long get(final int opcode, final int field) {
        if (opcode < 0 || opcode >= opcodes || field < 0 || field >= BLOCK_LENGTH) {
            return 0;
        }
        return values[opcode * LONGS_PER_BLOCK + field / 8];
    }

    /**
     * {@return that counter summed over every opcode}
     *
     * @param field the counter's byte offset in a block (a {@code TotalsDescriptor} offset)
     */
    public long sum(final int field) {
        long total = 0;
        for (int opcode = 0; opcode < opcodes; opcode++) {
            total += get(opcode, field);
        }
        return total;
    }

    /**
     * {@return bucket {@code b} of the histogram at {@code histogram} ({@link TotalsDescriptor#LATENCY_OFFSET} or SERVICE)}
     *
     * @param opcode the opcode
     * @param histogram the histogram's byte offset in the block
     * @param b the bucket
     */
    public long bucket(final int opcode, final int histogram, final int b) {
        return b < 0 || b >= BUCKETS ? 0 : get(opcode, histogram + b * 8);
    }

    /**
     * Makes this a copy of {@code other} (a snapshot of the same ring), for deltas between two looks.
     *
     * @param other the snapshot to copy
     */
    public void copyFrom(final TotalsSnapshot other) {
        System.arraycopy(other.values, 0, values, 0, Math.min(values.length, other.values.length));
        consistent = other.consistent;
    }

    /** {@return a second snapshot of the same totals, for deltas (its values are this one's until it is taken)} */
    public TotalsSnapshot twin() {
        final TotalsSnapshot twin = new TotalsSnapshot(buffer, base, opcodes);
        twin.copyFrom(this);
        return twin;
    }
}
