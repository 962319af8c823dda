package io.aioring.abi.engine;

import java.util.ArrayDeque;
import java.util.List;

import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.ring.Ring;
import io.aioring.ring.RingCorruptedException;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingProducer;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The overflow list, in completion order, and its mirror in the overflow file (docs/abi.md 2.8): an event that
 * finds the ring full takes its sequence as it joins the list and is written to the file too, so that a reaper
 * drains the file if the engine dies. Events leave the list, oldest first, as the ring has room; their file records
 * are consumed only after the ring's tail that holds them is published. Used under the poster's lock.
 */
final class OverflowList {
    /** Events a previous engine left on its list (re-attach): ahead of every event of this engine. */
    private record Inherited(UnsafeBuffer event, int fileEnd) {
    }

    /** Moves one event into the ring (false if it has no room), and publishes what was moved. */
    interface RingWriter {
        boolean write(InFlight op);

        boolean write(UnsafeBuffer event);

        /** Publishes the ring's tail (then {@link #published()} runs), and wakes whoever sleeps on the ring. */
        void publishAndSignal();
    }

    private final ArrayDeque<InFlight> waiting;
    private final ArrayDeque<Inherited> inherited = new ArrayDeque<>();
    private final Submissions slots;
    private final ContextArea area;
    private final RingFile fileHandle;
    private final Ring file;
    private final RingProducer fileProducer;
    /** The sequence the next event takes (the ring's are 0, 1, 2... in list order). */
    private long nextSequence;
    private boolean fileConsumed;
    private int fileConsumedTo;
    /** The overflow file was given up: never touched again. */
    private boolean fileGivenUp;

    /** @param overflowFile the overflow file; null for none */
    OverflowList(final RingFile overflowFile, final ContextArea area, final Submissions slots) {
        this.waiting = new ArrayDeque<>(slots.capacity() + 1);
        this.slots = slots;
        this.area = area;
        this.fileHandle = overflowFile;
        this.file = overflowFile == null ? null : overflowFile.ring();
        this.fileProducer = file == null ? null : new RingProducer(file);
    }

    int size() {
        return waiting.size() + inherited.size();
    }

    /**
     * Re-attach: events the previous engine left on its overflow list, oldest first, go ahead of every event of this
     * one, and into this engine's overflow file too; sequences continue from {@code next}.
     */
    void inherit(final List<byte[]> events, final long next) {
        nextSequence = next;
        for (final byte[] bytes : events) {
            final UnsafeBuffer event = new UnsafeBuffer(bytes);
            int end = -1;
            if (fileProducer != null) {
                try {
                    final int index = fileGivenUp ? RingProducer.NO_ROOM : fileProducer.tryClaim(EventDescriptor.RECORD_TYPE, bytes.length);
                    if (index != RingProducer.NO_ROOM) {
                        file.buffer().putBytes(index, event, 0, bytes.length);
                        fileProducer.commit();
                        fileProducer.publish();
                        end = fileProducer.committedTail();
                    }
                } catch (final RingCorruptedException | InternalError e) {
                    giveUpFile();
                }
                if (end < 0) {
                    area.countOverflowVolatile();
                }
            }
            inherited.addLast(new Inherited(event, end));
        }
    }

    /**
     * Onto the list, its sequence fixed now (events enter the ring in list order), and into the overflow file when
     * it has room.
     *
     * @param ring the ring the list drains into, published first if this event starts the list again while the
     *             file still holds events that went into it (null once the ring is given up)
     */
    void add(final InFlight op, final RingWriter ring) {
        if (ring != null && fileConsumed && waiting.isEmpty() && inherited.isEmpty()) {
            // The list emptied into the ring, events went in behind it, and this one found no room: publish them
            // and consume their predecessors' records before this one is written, or a death between would leave
            // the file's old records and this one with a gap between, which a reaper must call corrupt (2.8).
            ring.publishAndSignal();
        }
        op.markOverflowed();
        op.placement().sequence(nextSequence++);
        // On the list first: a fault of the file's pages is raised where the JVM next polls, perhaps after this
        // method returned, and whoever catches it then gives the file up with the event already here.
        waiting.addLast(op);
        if (fileProducer != null) {
            boolean written = false;
            if (!fileGivenUp && fileShrank()) {
                giveUpFile(); // truncated since the heartbeat looked: its pages must not be touched
            }
            if (!fileGivenUp) {
                try {
                    final int index = fileProducer.tryClaim(EventDescriptor.RECORD_TYPE, op.eventLength());
                    if (index != RingProducer.NO_ROOM) {
                        op.encode(file.buffer(), index, op.placement().sequence());
                        fileProducer.commit();
                        fileProducer.publish(); // now, not at the end of the post: a death mid-post loses none
                        op.placement().writtenToFile(fileProducer.committedTail());
                        written = true;
                    }
                } catch (final RingCorruptedException e) {
                    fileGivenUp = true; // someone wrote the overflow file's head: the file is given up, the ring is not
                } catch (final InternalError e) {
                    giveUpFile(); // its file was truncated under the mapping: the ring is untouched
                }
            }
            if (!written) {
                area.countOverflowVolatile();
            }
        }
    }

    /** @return true if the overflow file is smaller than its ring now (or cannot be looked at) */
    private boolean fileShrank() {
        try {
            return fileHandle.isTruncated();
        } catch (final RuntimeException e) {
            return true;
        }
    }

    /** Moves the list into the ring, oldest first, while it fits; @return true if the list is now empty */
    boolean drainInto(final RingWriter ring) {
        while (!inherited.isEmpty() && ring.write(inherited.peekFirst().event())) {
            inRing(inherited.pollFirst().fileEnd());
        }
        while (inherited.isEmpty() && !waiting.isEmpty() && ring.write(waiting.peekFirst())) {
            slots.release(waiting.pollFirst());
        }
        return inherited.isEmpty() && waiting.isEmpty();
    }

    /** @return the sequence of {@code op}'s event as it enters the ring (fixed already if it waited on the list) */
    long sequenceFor(final InFlight op) {
        return op.placement().sequence() != Placement.NO_SEQUENCE ? op.placement().sequence() : nextSequence++;
    }

    /** {@code op}'s event is in the ring: its file record, if any, is consumed once tail is published. */
    void inRing(final InFlight op) {
        if (op.placement().inFile()) {
            inRing(op.placement().fileEnd());
        }
    }

    private void inRing(final int fileEnd) {
        if (fileEnd >= 0) {
            fileConsumedTo = fileEnd; // list order is file order: the last one's end covers the rest
            fileConsumed = true;
        }
    }

    /** After the ring's tail is published: consumes the file records of the events it holds now. */
    void published() {
        if (fileConsumed) {
            consume(fileConsumedTo);
            fileConsumed = false;
        }
    }

    /**
     * With the ring given up: takes the oldest event off the list and encodes it at index 0 of {@code target}
     * (sequence {@link EventDescriptor#SEQUENCE_NOT_IN_RING}).
     *
     * @return its length, or 0 if there is none
     */
    int takeOldest(final MutableDirectBuffer target) {
        final Inherited old = inherited.pollFirst();
        if (old != null) {
            final int length = old.event().capacity();
            target.putBytes(0, old.event(), 0, length);
            target.putLong(EventDescriptor.SEQUENCE_OFFSET, EventDescriptor.SEQUENCE_NOT_IN_RING);
            if (old.fileEnd() >= 0) {
                consume(old.fileEnd());
            }
            return length;
        }
        final InFlight op = waiting.pollFirst();
        if (op == null) {
            return 0;
        }
        final int length = op.encode(target, 0, EventDescriptor.SEQUENCE_NOT_IN_RING);
        if (op.placement().inFile()) {
            consume(op.placement().fileEnd());
        }
        slots.release(op);
        return length;
    }

    /** The engine is the overflow file's one reaper while it lives: head moves by a release store. */
    private void consume(final int end) {
        if (fileGivenUp) {
            return;
        }
        try {
            // From the engine's own record of where each event's record ends: a word read back is never trusted.
            file.buffer().putIntRelease(RingDescriptor.HEAD_OFFSET, end);
        } catch (final InternalError e) {
            giveUpFile();
        }
    }

    /**
     * The overflow file's pages faulted (its file was truncated under the mapping, SIGBUS) or it is about to be: the
     * file is given up for good — never touched again, events that overflow from now on stay in memory only and are
     * counted as {@code overflow_volatile} — and the ring, which is intact, goes on.
     */
    void giveUpFile() {
        fileGivenUp = true;
    }

    boolean fileGivenUp() {
        return fileGivenUp;
    }
}
