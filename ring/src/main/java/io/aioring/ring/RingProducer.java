package io.aioring.ring;

import static io.aioring.ring.RecordDescriptor.*;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The one writer of a ring. Records are written into space past tail, then made visible to reapers by
 * {@link #publish()}, which stores tail once with release ordering for however many records were written since
 * the last publish.
 *
 * <p>Two ways to write: {@link #tryClaim}, fill the payload in place, {@link #commit()} (no copy); or
 * {@link #tryWrite} a prepared payload. Neither blocks: when there is no room they return {@link #NO_ROOM} /
 * {@code false} at once, and the caller decides (the context keeps an overflow list).
 *
 * <p>Not thread-safe: one thread at a time (the context serialises its completion posting). The producer keeps
 * tail in a field of its own and only ever stores it, so a scribble over the shared tail is undone at the next
 * publish; head is read from shared memory, and checked, only when the cached value shows too little room.
 */
public final class RingProducer {
    /** Returned by {@link #tryClaim} when the record does not fit now. */
    public static final int NO_ROOM = -1;

    private final Ring ring;
    private final AtomicBuffer buffer;
    private final int dataLength;
    private final int mask;
    private final int maxPayloadLength;

    private int publishedTail;
    private int pendingTail;
    private int headCache;
    private int claimStart;
    private int claimSpan;
    private boolean claimOpen;

    /**
     * The producer of {@code ring}: one per ring, on one thread at a time.
     *
     * @param ring the ring it writes
     */
    public RingProducer(final Ring ring) {
        this.ring = ring;
        this.buffer = ring.buffer();
        this.dataLength = ring.dataLength();
        this.mask = ring.mask();
        this.maxPayloadLength = ring.maxPayloadLength();
        this.publishedTail = buffer.getIntVolatile(RingDescriptor.TAIL_OFFSET);
        this.pendingTail = publishedTail;
        // The lowest head consistent with tail, so the first check of the real one cannot see it move backwards.
        this.headCache = publishedTail - dataLength;
        this.headCache = readHead();
    }

    /** {@return the ring it writes} */
    public Ring ring() {
        return ring;
    }

    /**
     * Reserves room for a record and writes its header.
     *
     * @param type          the record type, not {@link RecordDescriptor#FILLER_TYPE}
     * @param payloadLength 0 to {@link Ring#maxPayloadLength()}
     * @return the index in {@code ring().buffer()} where the payload goes, or {@link #NO_ROOM}
     * @throws IllegalArgumentException for a filler type or a payload length out of range
     * @throws IllegalStateException    while another claim is open
     * @throws RingCorruptedException   if the shared head is impossible
     */
    public int tryClaim(final int type, final int payloadLength) {
        if (type == FILLER_TYPE) {
            throw new IllegalArgumentException("record type " + FILLER_TYPE + " is reserved for fillers");
        }
        if (payloadLength < 0 || payloadLength > maxPayloadLength) {
            throw new IllegalArgumentException(
                "payload length " + payloadLength + " is outside [0, " + maxPayloadLength + "]");
        }
        if (claimOpen) {
            throw new IllegalStateException("a claim is already open: commit or abort it first");
        }
        final int recordLength = HEADER_LENGTH + payloadLength;
        final int span = align(recordLength);
        final int position = pendingTail & mask;
        final int toEnd = dataLength - position;
        final int required = span <= toEnd ? span : toEnd + span;
        if (dataLength - (pendingTail - headCache) < required) {
            headCache = readHead();
            if (dataLength - (pendingTail - headCache) < required) {
                return NO_ROOM;
            }
        }
        claimStart = pendingTail;
        int recordIndex = RingDescriptor.HEADER_LENGTH + position;
        if (span > toEnd) {
            buffer.putInt(recordIndex + LENGTH_OFFSET, toEnd);
            buffer.putInt(recordIndex + TYPE_OFFSET, FILLER_TYPE);
            pendingTail += toEnd;
            recordIndex = RingDescriptor.HEADER_LENGTH;
        }
        buffer.putInt(recordIndex + LENGTH_OFFSET, recordLength);
        buffer.putInt(recordIndex + TYPE_OFFSET, type);
        claimSpan = span;
        claimOpen = true;
        return recordIndex + HEADER_LENGTH;
    }

    /** Adds the claimed record to what the next {@link #publish()} makes visible. */
    public void commit() {
        if (!claimOpen) {
            throw new IllegalStateException("no open claim to commit");
        }
        pendingTail += claimSpan;
        claimOpen = false;
    }

    /** Gives back the claimed space (and any filler the claim wrote); nothing was visible to reapers. */
    public void abort() {
        if (!claimOpen) {
            throw new IllegalStateException("no open claim to abort");
        }
        pendingTail = claimStart;
        claimOpen = false;
    }

    /**
     * Copies a payload into the ring as one record; visible after the next {@link #publish()}.
     *
     * @param type the record type
     * @param source where the bytes come from
     * @param index the byte index in the buffer
     * @param length the length in bytes
     * @return false if it does not fit now
     */
    public boolean tryWrite(final int type, final DirectBuffer source, final int index, final int length) {
        final int payloadIndex = tryClaim(type, length);
        if (payloadIndex == NO_ROOM) {
            return false;
        }
        buffer.putBytes(payloadIndex, source, index, length);
        commit();
        return true;
    }

    /**
     * {@link #tryWrite} then {@link #publish()}.
     *
     * @param type the record type
     * @param source where the bytes come from
     * @param index the byte index in the buffer
     * @param length the length in bytes
     * @return false if the ring had no room (nothing written)
     */
    public boolean offer(final int type, final DirectBuffer source, final int index, final int length) {
        if (!tryWrite(type, source, index, length)) {
            return false;
        }
        publish();
        return true;
    }

    /**
     * Makes every committed record visible: one release store of tail.
     *
     * @return true if anything new became visible
     */
    public boolean publish() {
        if (pendingTail == publishedTail) {
            return false;
        }
        buffer.putIntRelease(RingDescriptor.TAIL_OFFSET, pendingTail);
        publishedTail = pendingTail;
        return true;
    }

    /** {@return the counter just past the last record committed (published or not): fillers before it included} */
    public int committedTail() {
        return pendingTail;
    }

    /** {@return the tail this producer last published} */
    public int publishedTail() {
        return publishedTail;
    }

    /** {@return bytes free right now for committed and future records (reads head)} */
    public int freeBytes() {
        headCache = readHead();
        return dataLength - (pendingTail - headCache);
    }

    /** Marks the ring closed for good: reapers drain what is there and then stop waiting. */
    public void close() {
        publish();
        ring.setFlags(RingDescriptor.FLAG_PRODUCER_CLOSED);
    }

    /** Loads head and checks it: at most data_length behind the published tail, and never moved backwards. */
    private int readHead() {
        final int head = buffer.getIntAcquire(RingDescriptor.HEAD_OFFSET);
        final int behind = publishedTail - head;
        if (behind < 0 || behind > dataLength) {
            throw new RingCorruptedException("head", Integer.toUnsignedLong(head), "the published tail is "
                + Integer.toUnsignedString(publishedTail) + ", so head is "
                + (behind < 0 ? "beyond tail" : "more than data_length " + dataLength + " behind it"));
        }
        if ((head & (ALIGNMENT - 1)) != 0) {
            throw new RingCorruptedException("head", Integer.toUnsignedLong(head), "not a multiple of " + ALIGNMENT);
        }
        if (head - headCache < 0) {
            throw new RingCorruptedException("head", Integer.toUnsignedLong(head),
                "moved backwards from " + Integer.toUnsignedString(headCache));
        }
        return head;
    }
}
