package io.aioring.ring;

import static io.aioring.ring.RecordDescriptor.*;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

/**
 * How every reader walks records loaded from shared memory: the checks of docs/abi.md 1.9 (problem codes on
 * the hot path, exceptions built only once a problem is confirmed), and the walk that copies a batch of whole
 * records, without fillers, into a private buffer in at most two pieces (before and after the wrap to offset 0).
 *
 * <p>One instance per reader; {@link #copy} leaves its results in fields, so it allocates nothing.
 */
final class RecordWalk {
    static final int BAD_FILLER = -1;
    static final int BAD_LENGTH = -2;
    static final int STRADDLES_END = -3;
    static final int BEYOND_TAIL = -4;

    private final int dataLength;
    private final int mask;
    private final int maxRecordLength;

    private final AtomicBuffer buffer;

    /** Bytes walked past (records and fillers) by the last {@link #copy}. */
    int consumed;
    /** Bytes of records copied from before the wrap to offset 0, and from after it. */
    int firstBytes;
    int secondBytes;
    /** 0, or the problem code that stopped the last walk, and the length read at that point. */
    int problem;
    int problemLength;
    /** Records copied by the last {@link #copy}, and (when recording) their offsets in the destination. */
    int records;
    private int[] recordOffsets;

    RecordWalk(final Ring ring) {
        this.buffer = ring.buffer();
        this.dataLength = ring.dataLength();
        this.mask = ring.mask();
        this.maxRecordLength = HEADER_LENGTH + ring.maxPayloadLength();
    }

    /**
     * Walks the records from counter {@code from} across {@code unread} bytes, stopping before a record that would
     * take the records copied past {@code limit} bytes (but taking at least one), or at a record that fails its
     * checks, and copies the records (fillers left out) to {@code destination} at 0.
     */
    void copy(final int from, final int unread, final int limit, final MutableDirectBuffer destination) {
        final int startPosition = from & mask;
        int walked = 0;
        int first = 0;
        int second = 0;
        int trouble = 0;
        int count = 0;
        final int[] offsets = recordOffsets;
        while (walked < unread) {
            final int position = (from + walked) & mask;
            final int index = RingDescriptor.HEADER_LENGTH + position;
            final int length = buffer.getInt(index + LENGTH_OFFSET);
            final int type = buffer.getInt(index + TYPE_OFFSET);
            final int span = span(position, length, type, unread - walked);
            if (span < 0) {
                trouble = span;
                problemLength = length;
                break;
            }
            if (type == FILLER_TYPE) {
                walked += span;
                continue;
            }
            final int taken = first + second;
            if (taken > 0 && taken + span > limit) {
                break;
            }
            if (offsets != null) {
                offsets[count] = taken;
            }
            count++;
            if (position < startPosition) {
                second += span;
            } else {
                first += span;
            }
            walked += span;
        }
        buffer.getBytes(RingDescriptor.HEADER_LENGTH + startPosition, destination, 0, first);
        if (second > 0) {
            buffer.getBytes(RingDescriptor.HEADER_LENGTH, destination, first, second);
        }
        consumed = walked;
        firstBytes = first;
        secondBytes = second;
        problem = trouble;
        records = count;
    }

    /** Makes {@link #copy} note where each record it copies lands, for readers that cannot trust the copy's own lengths. */
    void recordOffsets(final int destinationCapacity) {
        recordOffsets = new int[destinationCapacity / RecordDescriptor.ALIGNMENT + 1];
    }

    /** @return the destination offset of record {@code i} of the last {@link #copy} (needs {@link #recordOffsets}) */
    int recordOffset(final int i) {
        return recordOffsets[i];
    }

    int copiedBytes() {
        return firstBytes + secondBytes;
    }

    /** @return the counter of the record copied to {@code offset} by the last {@link #copy} from {@code from} */
    int counterOf(final int from, final int offset) {
        return offset < firstBytes ? from + offset : from + (dataLength - (from & mask)) + (offset - firstBytes);
    }

    /** @return true if head and unread = tail - head are possible values */
    boolean countersValid(final int head, final int unread) {
        return unread >= 0 && unread <= dataLength && (head & (ALIGNMENT - 1)) == 0
            && (unread & (ALIGNMENT - 1)) == 0;
    }

    /**
     * @param remaining unread bytes from this record to tail
     * @return the bytes the record at {@code position} occupies, or a negative problem code
     */
    int span(final int position, final int length, final int type, final int remaining) {
        if (type == FILLER_TYPE) {
            return length == dataLength - position && length <= remaining ? length : BAD_FILLER;
        }
        if (length < HEADER_LENGTH || length > maxRecordLength) {
            return BAD_LENGTH;
        }
        final int span = align(length);
        if (span > dataLength - position) {
            return STRADDLES_END;
        }
        if (span > remaining) {
            return BEYOND_TAIL;
        }
        return span;
    }

    RingCorruptedException badCounters(final int head, final int tail) {
        final int unread = tail - head;
        if ((head & (ALIGNMENT - 1)) != 0) {
            return new RingCorruptedException("head", Integer.toUnsignedLong(head), "not a multiple of " + ALIGNMENT);
        }
        if (unread < 0) {
            return new RingCorruptedException("head", Integer.toUnsignedLong(head),
                "beyond tail " + Integer.toUnsignedString(tail));
        }
        if (unread > dataLength) {
            return new RingCorruptedException("tail", Integer.toUnsignedLong(tail), "tail - head = " + unread
                + " unread bytes, more than data_length " + dataLength);
        }
        return new RingCorruptedException("tail", Integer.toUnsignedLong(tail),
            "tail - head = " + unread + " is not a multiple of " + ALIGNMENT);
    }

    RingCorruptedException badRecord(final int problem, final int counter, final int length) {
        final int position = counter & mask;
        final long value = Integer.toUnsignedLong(length);
        final String where = " at counter " + Integer.toUnsignedString(counter) + " (data offset " + position + ")";
        return switch (problem) {
            case BAD_FILLER -> new RingCorruptedException("filler length", value,
                "a filler must run exactly to the end of the data area (" + (dataLength - position)
                    + " bytes) and not past tail" + where);
            case BAD_LENGTH -> new RingCorruptedException("record length", value,
                "outside [" + HEADER_LENGTH + ", " + maxRecordLength + "]" + where);
            case STRADDLES_END -> new RingCorruptedException("record length", value,
                "runs past the end of the data area" + where);
            case BEYOND_TAIL -> new RingCorruptedException("record length", value, "runs past tail" + where);
            default -> new RingCorruptedException("record", problem, "unexpected problem code" + where);
        };
    }
}
