package io.aioring.ring;

import static io.aioring.ring.RecordDescriptor.*;

import java.lang.invoke.VarHandle;

import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Watches the records passing through a ring without taking them: a private cursor that follows tail while the
 * reapers move head. It never writes to the ring.
 *
 * <p>The producer reuses the bytes at counter {@code c} only after a reaper has moved head past {@code c}. So the
 * observer copies records from its cursor, then loads head again: copied records at counters at or past that head
 * were intact when copied; those below it may have been overwritten, and are dropped and counted as missed
 * (the observer was lapped). A cursor that falls behind head jumps to head, counting the bytes it skipped.
 *
 * <p>One thread; nothing is allocated after construction.
 */
public final class RingObserver {
    private final Ring ring;
    private final AtomicBuffer buffer;
    private final RecordWalk walk;
    private final UnsafeBuffer batch;
    private int cursor;
    private long missedBytes;
    private long observedRecords;

    /**
     * An observer whose cursor starts at the ring's current head: it will see every record still unread.
     *
     * @param ring the ring
     */
    public RingObserver(final Ring ring) {
        this(ring, RingReaper.DEFAULT_BATCH_BYTES);
    }

    /**
     * An observer that copies at most {@code batchBytes} of records at a time.
     *
     * @param ring       the ring to observe
     * @param batchBytes its copy buffer's size (at least the ring's largest record is used)
     */
    public RingObserver(final Ring ring, final int batchBytes) {
        this.ring = ring;
        this.buffer = ring.buffer();
        this.walk = new RecordWalk(ring);
        this.batch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            align(Math.max(batchBytes, ring.maxRecordLength())), 64));
        this.walk.recordOffsets(batch.capacity());
        this.cursor = ring.head();
    }

    /** Moves the cursor to the current tail: only records published from now on will be seen. */
    public void skipToTail() {
        cursor = ring.tail();
    }

    /**
     * Hands over the records between the cursor and tail, up to {@code byteLimit} bytes of them (at least one).
     *
     * @param handler receives each one
     * @param byteLimit at most this many bytes of records
     * @return records handed to {@code handler}
     * @throws RingCorruptedException if the ring holds an impossible value
     */
    public int poll(final RecordHandler handler, final int byteLimit) {
        try {
            return observe(handler, byteLimit);
        } catch (final InternalError e) {
            throw RingCorruptedException.mappingFault(e);
        }
    }

    private int observe(final RecordHandler handler, final int byteLimit) {
        final int limit = Math.min(byteLimit, batch.capacity());
        while (true) {
            final int head = buffer.getIntAcquire(RingDescriptor.HEAD_OFFSET);
            final int tail = buffer.getIntAcquire(RingDescriptor.TAIL_OFFSET);
            if (cursor - head < 0) {
                missedBytes += head - cursor;
                cursor = head;
            }
            final int unread = tail - cursor;
            if (unread == 0) {
                return 0;
            }
            if (!walk.countersValid(cursor, unread)) {
                if (lapped()) {
                    continue;
                }
                throw walk.badCounters(cursor, tail);
            }
            walk.copy(cursor, unread, limit, batch);
            if (walk.consumed == 0) {
                if (lapped()) {
                    continue;
                }
                throw walk.badRecord(walk.problem, cursor, walk.problemLength);
            }
            VarHandle.loadLoadFence();
            final int headAfter = buffer.getIntVolatile(RingDescriptor.HEAD_OFFSET);
            final int from = cursor;
            cursor += walk.consumed;
            // Records below headAfter may have been overwritten while being copied: their bytes, lengths
            // included, are not to be read. Their boundaries come from the walk, which checked them in place.
            int first = 0;
            while (first < walk.records && walk.counterOf(from, walk.recordOffset(first)) - headAfter < 0) {
                first++;
            }
            final int end = walk.copiedBytes();
            final int start = first < walk.records ? walk.recordOffset(first) : end;
            missedBytes += start;
            int delivered = 0;
            for (int r = first; r < walk.records; r++) {
                final int offset = walk.recordOffset(r);
                final int next = r + 1 < walk.records ? walk.recordOffset(r + 1) : end;
                final int length = batch.getInt(offset + LENGTH_OFFSET);
                final int type = batch.getInt(offset + TYPE_OFFSET);
                // As for a reaper: the copy is what gets delivered, so it must tile exactly as walked. Records at or
                // above head cannot change under a well-behaved producer; one that did was scribbled over.
                if (length < HEADER_LENGTH || type == FILLER_TYPE || align(length) != next - offset) {
                    throw new RingCorruptedException("record length", Integer.toUnsignedLong(length), "type " + type
                        + ": changed between the check and the copy (" + (next - offset) + " bytes were checked)");
                }
                delivered++;
                handler.onRecord(type, batch, offset + HEADER_LENGTH, length - HEADER_LENGTH);
            }
            observedRecords += delivered;
            if (delivered > 0) {
                return delivered;
            }
            // Only fillers, or only records the reapers had already lapped: look again from the new cursor.
        }
    }

    /** {@return bytes of records that went by unseen because the reapers overtook this observer} */
    public long missedBytes() {
        return missedBytes;
    }

    /** {@return records this observer has seen so far} */
    public long observedRecords() {
        return observedRecords;
    }

    /** {@return the counter of the next record this observer will look at} */
    public int cursor() {
        return cursor;
    }

    /** {@return the ring it observes} */
    public Ring ring() {
        return ring;
    }

    private boolean lapped() {
        VarHandle.loadLoadFence();
        return buffer.getIntVolatile(RingDescriptor.HEAD_OFFSET) - cursor > 0;
    }
}
