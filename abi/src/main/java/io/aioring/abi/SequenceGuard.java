package io.aioring.abi;

import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.ring.ClaimGuard;
import io.aioring.ring.Ring;

import org.agrona.DirectBuffer;

/**
 * Refuses an event reaped before (docs/abi.md 2.6): events enter the ring numbered 0, 1, 2, … so an event a
 * reaper claims must be numbered at least one past every event claimed before its claim, by itself (its own
 * floor) or by any reaper that published it in {@code reaped_sequence} (loaded before the claim's
 * compare-and-set, raised after it). A head moved backwards hands out events again; they fall below the floor.
 *
 * <p>What it cannot see: events taken again before the reaper that first took them raised {@code reaped_sequence}
 * (a window of one claim), and a writer that lowers {@code reaped_sequence} along with head. One thread; allocates
 * nothing.
 */
final class SequenceGuard implements ClaimGuard {
    /** The shared word, or null when the ring's engine does not keep it (no {@code REAPED_SEQUENCE} feature). */
    private final ContextArea area;
    /** One past the highest sequence known claimed (unsigned). */
    private long floor;

    /** Events reaped before are expected here (the overflow file after the engine's death): dropped silently. */
    private final boolean expectsCopies;

    SequenceGuard(final Ring ring) {
        this(ring, false);
    }

    /**
     * @param context       the context's ring, whose reaped_sequence the guard keeps
     * @param expectsCopies true for the overflow file, where an event may also have entered the ring just before the
     *                      engine died: refused without a report
     */
    SequenceGuard(final Ring context, final boolean expectsCopies) {
        this.area = (context.compatFeatures() & ContextDescriptor.COMPAT_REAPED_SEQUENCE) != 0
            ? new ContextArea(context.buffer()) : null;
        this.expectsCopies = expectsCopies;
    }

    @Override
    public boolean reportsRefused() {
        return !expectsCopies;
    }

    @Override
    public void beforeClaim() {
        if (area != null) {
            final long shared = area.reapedSequence();
            if (Long.compareUnsigned(shared, floor) > 0) {
                floor = shared;
            }
        }
    }

    @Override
    public boolean admit(final int type, final DirectBuffer buffer, final int index, final int length) {
        final long sequence = sequenceOf(type, buffer, index, length);
        if (sequence == EventDescriptor.SEQUENCE_NOT_IN_RING) {
            return true; // not an event this guard can number: the event reader judges it
        }
        if (Long.compareUnsigned(sequence, floor) < 0) {
            return false;
        }
        floor = sequence + 1;
        return true;
    }

    @Override
    public void claimed(final int type, final DirectBuffer buffer, final int index, final int length) {
        final long sequence = sequenceOf(type, buffer, index, length);
        if (area != null && sequence != EventDescriptor.SEQUENCE_NOT_IN_RING) {
            area.raiseReapedSequence(sequence + 1);
        }
    }

    /** @return the event's sequence, or {@link EventDescriptor#SEQUENCE_NOT_IN_RING} for a record without one */
    private static long sequenceOf(final int type, final DirectBuffer buffer, final int index, final int length) {
        if (type != EventDescriptor.RECORD_TYPE || length < EventDescriptor.HEADER_LENGTH) {
            return EventDescriptor.SEQUENCE_NOT_IN_RING;
        }
        return buffer.getLong(index + EventDescriptor.SEQUENCE_OFFSET);
    }
}
