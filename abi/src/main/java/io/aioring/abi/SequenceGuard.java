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
    /** Claims of the context's ring are counted in claims_in_progress (not those of its overflow file). */
    private final boolean countsClaims;

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
        this.countsClaims = area != null && !expectsCopies
            && (context.compatFeatures() & ContextDescriptor.COMPAT_CLAIMS_IN_PROGRESS) != 0;
    }

    /** The overflow file: the last sequence seen there (its events are in list order: strictly increasing). */
    private long lastInFile = -1;
    /** The next event is its claim's first: other reapers may have taken the file's events since this one's last. */
    private boolean firstOfClaim = true;
    private boolean admittedInFile;
    /** Overflow-file records refused that no engine could have written: reported, not dropped silently. */
    private int impossible;
    private String impossibleWhy;

    @Override
    public boolean reportsRefused() {
        if (!expectsCopies) {
            return true;
        }
        final boolean report = impossible > 0;
        impossible = 0;
        return report;
    }

    @Override
    public String describeRefused(final int count) {
        final String why = expectsCopies ? impossibleWhy : null;
        impossibleWhy = null;
        return why;
    }

    @Override
    public void beforeClaim() {
        firstOfClaim = true;
        if (countsClaims) {
            area.addClaim(); // before the load of reaped_sequence and the claim (docs/abi.md 2.6)
        }
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
        if (expectsCopies && !plausibleInFile(sequence)) {
            return false;
        }
        if (Long.compareUnsigned(sequence, floor) < 0) {
            if (expectsCopies && admittedInFile) {
                // A copy of a ring event can only come before the file's first new event (docs/abi.md 2.8).
                refuseImpossible("event sequence " + Long.toUnsignedString(sequence) + " in the overflow file comes "
                    + "after one already delivered from it and is below " + Long.toUnsignedString(floor));
            }
            return false;
        }
        if (expectsCopies) {
            admittedInFile = true;
        }
        floor = sequence + 1;
        return true;
    }

    @Override
    public void claimEnded() {
        if (countsClaims) {
            area.removeClaim();
        }
    }

    @Override
    public void claimed(final int type, final DirectBuffer buffer, final int index, final int length) {
        final long sequence = sequenceOf(type, buffer, index, length);
        if (area != null && sequence != EventDescriptor.SEQUENCE_NOT_IN_RING) {
            area.raiseReapedSequence(sequence + 1);
        }
    }

    /**
     * The overflow file holds the overflow list in order: its sequences strictly increase, by one within a claim
     * except where events found the file full ({@code overflow_volatile} of them at most); between two claims of this
     * reaper, others may have taken any number. One that does not was written by someone else: the reaper reports it
     * rather than dropping events silently behind it.
     */
    private boolean plausibleInFile(final long sequence) {
        final long previous = lastInFile;
        final boolean first = firstOfClaim;
        firstOfClaim = false;
        lastInFile = sequence;
        if (previous >= 0 && Long.compareUnsigned(sequence, previous) <= 0) {
            refuseImpossible("event sequence " + Long.toUnsignedString(sequence) + " in the overflow file does not "
                + "follow " + Long.toUnsignedString(previous) + " (its events are in increasing order)");
            return false;
        }
        final long after = previous >= 0 ? previous : floor - 1;
        final long slack = area == null ? 0 : Math.max(0, area.overflowVolatile());
        // A copy of an event the ring gave out lies below the floor (admit drops it): only a step up can jump.
        if (after >= 0 && Long.compareUnsigned(sequence, after) > 0
            && Long.compareUnsigned(sequence - after, slack + 1 + (previous >= 0 && !first ? 0 : MAX_RING_EVENTS)) > 0) {
            refuseImpossible("event sequence " + Long.toUnsignedString(sequence) + " in the overflow file jumps past "
                + Long.toUnsignedString(after) + " by more than the " + slack + " events that found the file full");
            return false;
        }
        return true;
    }

    /**
     * Before the file's first event, ring events not yet reaped may come between (the reaper drains the ring first,
     * but another reaper may still hold some): a bound as large as any ring's events, not a check of order.
     */
    private static final long MAX_RING_EVENTS = 1L << 32;

    private void refuseImpossible(final String why) {
        impossible++;
        if (impossibleWhy == null) {
            impossibleWhy = why;
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
