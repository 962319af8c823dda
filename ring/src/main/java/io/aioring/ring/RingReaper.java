package io.aioring.ring;

import static io.aioring.ring.RecordDescriptor.*;

import java.lang.invoke.VarHandle;

import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Takes records out of a ring. Any number of reapers, in any number of threads and processes, may reap one
 * ring at once in {@link Mode#SHARED} mode:
 * <ol>
 *   <li>load head, then tail, each with acquire ordering;</li>
 *   <li>walk the records from head, checking every length against the data area and tail, and copy a batch of
 *       them (up to a byte limit) into this reaper's own buffer;</li>
 *   <li>compare-and-set head from the value loaded to the value past the batch. Success means no other reaper
 *       moved head meanwhile, so the producer could not have reused those bytes and the copy is whole; failure
 *       means another reaper took them, and the walk starts again from the new head;</li>
 *   <li>hand the copied records to the handler.</li>
 * </ol>
 * Because head and tail are free-running 32-bit counters, a stale head can only match again after 2^32 bytes
 * of traffic between this reaper's load and its compare-and-set (ABA).
 *
 * <p>An impossible value (head beyond tail, a bad record length...) seen while head has not moved is corruption
 * and raises {@link RingCorruptedException}; seen while head has moved it was a torn view, and the walk retries.
 * Valid records before a corrupt one are delivered first.
 *
 * <p>{@link Mode#EXCLUSIVE} is for a ring with exactly one reaper: records are handed over in place, without a
 * copy, and head is advanced with one release store per batch instead of a compare-and-set.
 *
 * <p>A reaper instance belongs to one thread. It allocates nothing after construction.
 */
public final class RingReaper {
    /** How the reaper advances head. */
    public enum Mode {
        /** Copy, then compare-and-set head: safe with any number of reapers. */
        SHARED,
        /** In-place delivery, head advanced by a release store: only when this is the ring's sole reaper. */
        EXCLUSIVE
    }

    /** Default batch buffer size; raised to the ring's largest record if that is bigger. */
    public static final int DEFAULT_BATCH_BYTES = 64 * 1024;

    private final Ring ring;
    private final ReapSource reapSource = new ReapSource();
    private final AtomicBuffer buffer;
    private final Mode mode;
    private final int mask;
    private final RecordWalk walk;
    private final UnsafeBuffer batch;
    private int batchOffset;
    private int batchLimit;
    /** Which record of the last copy {@link #batchOffset} is at. */
    private int batchRecord;
    private final ClaimGuard guard;
    /** Records of the current batch the guard refused (taken before): reported once the batch is through. */
    private int refused;

    /**
     * A reaper with the default batch size.
     *
     * @param ring the ring to reap
     * @param mode alone, or shared with other reapers
     */
    public RingReaper(final Ring ring, final Mode mode) {
        this(ring, mode, DEFAULT_BATCH_BYTES);
    }

    /**
     * A reaper whose shared claims copy at most {@code batchBytes} at a time.
     *
     * @param batchBytes the size of the buffer a shared reaper copies a batch into (at least the ring's largest
     *                   record is used); it bounds the bytes one compare-and-set takes
     * @param ring the ring
     * @param mode the mode
     */
    public RingReaper(final Ring ring, final Mode mode, final int batchBytes) {
        this(ring, mode, batchBytes, null);
    }

    /**
     * A reaper whose claims {@code guard} checks: records it refuses (taken before, by this reaper or another) are
     * not delivered, and the poll that met them raises {@link RingCorruptedException} after the new ones of its batch.
     *
     * @param guard null for none
     * @param ring the ring
     * @param mode the mode
     * @param batchBytes the batch buffer's size in bytes
     */
    public RingReaper(final Ring ring, final Mode mode, final int batchBytes, final ClaimGuard guard) {
        this(ring, mode, mode == Mode.SHARED
            ? new UnsafeBuffer(BufferUtil.allocateDirectAligned(align(Math.max(batchBytes, ring.maxRecordLength())), 64))
            : new UnsafeBuffer(0L, 0), guard);
    }

    /**
     * A shared reaper that copies batches into {@code batch}, which the caller provides: e.g. a file mapping, so
     * that what a reaper had taken survives the reaper's process being killed (the stress tests account for it).
     *
     * @param ring the ring
     * @param mode the mode
     * @param batch the batch buffer
     * @throws IllegalArgumentException if {@code batch} cannot hold the ring's largest record
     */
    public RingReaper(final Ring ring, final Mode mode, final UnsafeBuffer batch) {
        this(ring, mode, batch, null);
    }

    private RingReaper(final Ring ring, final Mode mode, final UnsafeBuffer batch, final ClaimGuard guard) {
        if (mode == Mode.SHARED && batch.capacity() < ring.maxRecordLength()) {
            throw new IllegalArgumentException("a batch buffer of " + batch.capacity() + " bytes cannot hold the ring's "
                + "largest record (" + ring.maxRecordLength() + " bytes)");
        }
        this.ring = ring;
        this.buffer = ring.buffer();
        this.mode = mode;
        this.mask = ring.mask();
        this.walk = new RecordWalk(ring);
        this.batch = batch;
        this.guard = guard;
        if (mode == Mode.SHARED) {
            walk.recordOffsets(batch.capacity());
        }
    }

    /** {@return the ring it reaps} */
    public Ring ring() {
        return ring;
    }

    /** {@return whether it reaps alone or shares the ring with other reapers} */
    public Mode mode() {
        return mode;
    }

    /** {@return the most bytes of records one poll takes: the batch buffer for a shared reaper, unbounded otherwise} */
    public int batchCapacity() {
        return mode == Mode.SHARED ? batch.capacity() : Integer.MAX_VALUE;
    }

    /**
     * Reaps a batch, as Agrona's {@code read(handler)} does: every record there, up to what one poll can take
     * ({@link #batchCapacity()}).
     *
     * @param handler receives each one
     * @return the number of records handed to {@code handler}
     * @throws RingCorruptedException if the ring holds an impossible value
     */
    public int poll(final RecordHandler handler) {
        return poll(handler, Integer.MAX_VALUE);
    }

    /**
     * Reaps at most one record.
     *
     * @param handler receives each one
     * @return the number of records handed to {@code handler} (0 or 1)
     * @throws RingCorruptedException if the ring holds an impossible value
     */
    public int pollOne(final RecordHandler handler) {
        return poll(handler, 1);
    }

    /**
     * Reaps a batch: whole records whose spans add up to at most {@code byteLimit} bytes, and always at least one
     * record if any is there. A shared reaper takes the batch with one compare-and-set; an exclusive one releases
     * it with one store. Records copied out earlier but not yet delivered (a handler threw) come first.
     *
     * @param handler receives each one
     * @param byteLimit at most this many bytes of records
     * @return the number of records handed to {@code handler}
     * @throws RingCorruptedException if the ring holds an impossible value, or its file was truncated under the
     *                                mapping (field "mapping")
     */
    public int poll(final RecordHandler handler, final int byteLimit) {
        try {
            return mode == Mode.SHARED ? pollShared(handler, byteLimit) : pollExclusive(handler, byteLimit);
        } catch (final InternalError e) {
            throw RingCorruptedException.mappingFault(e);
        }
    }

    /**
     * Polls until {@code minRecords} records have been handed over, the timeout passes, or the producer has closed
     * the ring and it is empty, idling between empty polls.
     *
     * @param handler receives each one
     * @param byteLimit at most this many bytes of records
     * @param minRecords wait until at least this many records are there
     * @param idle how to wait
     * @param timeoutNanos how long to wait at most, in nanoseconds
     * @return the number of records handed to {@code handler}
     */
    public int reap(final RecordHandler handler, final int byteLimit, final int minRecords,
                    final IdleStrategy idle, final long timeoutNanos) {
        reapSource.handler = handler;
        reapSource.byteLimit = byteLimit;
        try {
            return ReapLoop.run(reapSource, minRecords, idle, timeoutNanos);
        } finally {
            reapSource.handler = null;
        }
    }

    /** {@link #reap}'s poll and end, kept as a field so that a reap allocates nothing. */
    private final class ReapSource implements ReapLoop.Source {
        RecordHandler handler;
        int byteLimit;

        @Override
        public int poll() {
            return RingReaper.this.poll(handler, byteLimit);
        }

        @Override
        public boolean ended(final long nowNanos) {
            return ring.isProducerClosed() && isEmpty();
        }
    }

    /** {@return true if neither the ring nor this reaper holds an undelivered record} */
    public boolean isEmpty() {
        return batchOffset >= batchLimit && ring.head() == ring.tail();
    }

    private int pollShared(final RecordHandler handler, final int byteLimit) {
        if (batchOffset < batchLimit) {
            return deliverBatch(handler);
        }
        final int limit = Math.min(byteLimit, batch.capacity());
        while (true) {
            final int head = buffer.getIntAcquire(RingDescriptor.HEAD_OFFSET);
            final int tail = buffer.getIntAcquire(RingDescriptor.TAIL_OFFSET);
            final int unread = tail - head;
            if (unread == 0) {
                return 0;
            }
            if (!walk.countersValid(head, unread)) {
                if (headMoved(head)) {
                    continue;
                }
                throw walk.badCounters(head, tail);
            }
            walk.copy(head, unread, limit, batch);
            if (walk.consumed == 0) {
                if (headMoved(head)) {
                    continue;
                }
                throw walk.badRecord(walk.problem, head, walk.problemLength);
            }
            if (guard != null) {
                guard.beforeClaim();
            }
            try {
                if (!buffer.compareAndSetInt(RingDescriptor.HEAD_OFFSET, head, head + walk.consumed)) {
                    continue;
                }
                batchOffset = 0;
                batchRecord = 0;
                batchLimit = walk.copiedBytes();
                if (batchLimit > 0 && guard != null) {
                    // The last record as walked (its span), checked by the guard before it reads inside it.
                    final int last = walk.recordOffset(walk.records - 1);
                    guard.claimed(batch.getInt(last + TYPE_OFFSET), batch, last + HEADER_LENGTH,
                        Math.min(batch.getInt(last + LENGTH_OFFSET), batchLimit - last) - HEADER_LENGTH);
                }
            } finally {
                if (guard != null) {
                    guard.claimEnded();
                }
            }
            if (batchLimit > 0) {
                return deliverBatch(handler);
            }
            // Only a filler was taken; look again for records behind it.
        }
    }

    private int deliverBatch(final RecordHandler handler) {
        int delivered = 0;
        while (batchOffset < batchLimit) {
            final int index = batchOffset;
            final int length = batch.getInt(index + LENGTH_OFFSET);
            final int type = batch.getInt(index + TYPE_OFFSET);
            // The walk checked the records in shared memory, before the copy; a writer may have changed them in
            // between. The copy is private and is what gets delivered, so it must tile exactly as walked (which also
            // bounds the length: every walked span was checked against the largest record).
            final int next = batchRecord + 1 < walk.records ? walk.recordOffset(batchRecord + 1) : batchLimit;
            if (length < HEADER_LENGTH || type == FILLER_TYPE || align(length) != next - index) {
                batchOffset = batchLimit;
                throw new RingCorruptedException("record length", Integer.toUnsignedLong(length), "type " + type
                    + ": changed between the check and the copy (" + (next - index) + " bytes were checked)");
            }
            // Advance first: if the handler throws, this record counts as delivered and the rest wait.
            batchOffset = next;
            batchRecord++;
            if (guard != null && !guard.admit(type, batch, index + HEADER_LENGTH, length - HEADER_LENGTH)) {
                refused++;
                continue;
            }
            delivered++;
            handler.onRecord(type, batch, index + HEADER_LENGTH, length - HEADER_LENGTH);
        }
        reportRefused();
        return delivered;
    }

    /** After a batch: records the guard refused were taken before, so head was moved backwards. Says so once. */
    private void reportRefused() {
        if (refused > 0) {
            final int count = refused;
            refused = 0;
            if (!guard.reportsRefused()) {
                return;
            }
            final String described = guard.describeRefused(count);
            if (described != null) {
                throw new RingCorruptedException("sequence", count, described);
            }
            throw new RingCorruptedException("head", Integer.toUnsignedLong(buffer.getIntVolatile(RingDescriptor.HEAD_OFFSET)),
                "moved backwards: " + count + " record" + (count == 1 ? " was" : "s were")
                + " taken again that had been reaped before, and not delivered again");
        }
    }

    private int pollExclusive(final RecordHandler handler, final int byteLimit) {
        final int head = buffer.getIntAcquire(RingDescriptor.HEAD_OFFSET);
        final int tail = buffer.getIntAcquire(RingDescriptor.TAIL_OFFSET);
        final int unread = tail - head;
        if (unread == 0) {
            return 0;
        }
        if (!walk.countersValid(head, unread)) {
            throw walk.badCounters(head, tail);
        }
        int consumed = 0;
        int taken = 0;
        int delivered = 0;
        int lastIndex = -1;
        int lastLength = 0;
        if (guard != null) {
            guard.beforeClaim();
        }
        try {
            while (consumed < unread) {
                final int position = (head + consumed) & mask;
                final int index = RingDescriptor.HEADER_LENGTH + position;
                final int length = buffer.getInt(index + LENGTH_OFFSET);
                final int type = buffer.getInt(index + TYPE_OFFSET);
                final int span = walk.span(position, length, type, unread - consumed);
                if (span < 0) {
                    if (delivered > 0) {
                        break;
                    }
                    throw walk.badRecord(span, head + consumed, length);
                }
                if (type == FILLER_TYPE) {
                    consumed += span;
                    continue;
                }
                if (taken > 0 && taken + span > byteLimit) {
                    break;
                }
                consumed += span;
                if (guard != null && !guard.admit(type, buffer, index + HEADER_LENGTH, length - HEADER_LENGTH)) {
                    refused++;
                    continue;
                }
                taken += span;
                delivered++;
                lastIndex = index;
                lastLength = length;
                handler.onRecord(type, buffer, index + HEADER_LENGTH, length - HEADER_LENGTH);
            }
        } finally {
            if (consumed > 0) {
                if (guard != null && lastIndex >= 0) {
                    // In place: the record is the producer's again once head moves, so publish before that. The
                    // length is the one checked; the guard reads no further than it.
                    guard.claimed(buffer.getInt(lastIndex + TYPE_OFFSET), buffer, lastIndex + HEADER_LENGTH,
                        lastLength - HEADER_LENGTH);
                }
                buffer.putIntRelease(RingDescriptor.HEAD_OFFSET, head + consumed);
            }
            if (guard != null) {
                guard.claimEnded();
            }
        }
        reportRefused();
        return delivered;
    }

    /** After a load that looked impossible: has another reaper moved head since {@code head} was loaded? */
    private boolean headMoved(final int head) {
        VarHandle.loadLoadFence();
        return buffer.getIntVolatile(RingDescriptor.HEAD_OFFSET) != head;
    }
}
