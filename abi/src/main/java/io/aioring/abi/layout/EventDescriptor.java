package io.aioring.abi.layout;

/**
 * The layout of a completion event: the payload of a ring record of type {@link #RECORD_TYPE}, so the record's
 * length is the event's total length. A 32-byte fixed header, then one return record per attribute requested.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     user_data (u64)                            |  0
 *  +---------------------------------------------------------------+
 *  |                     result (i64): bytes, or -errno             |  8
 *  +---------------------------------------------------------------+
 *  |                     flags (u32)                                | 16
 *  +-------------------------------+-------------------------------+
 *  |         opcode (u16)          |    attribute_count (u16)      | 20
 *  +-------------------------------+-------------------------------+
 *  |                     sequence (u64)                             | 24
 *  +---------------------------------------------------------------+
 *  |                     attribute return records ...               | 32
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class EventDescriptor {
    /** The ring record type of a version 1 event. */
    public static final int RECORD_TYPE = 1;

    /** Byte offset of the event's {@code user_data} field (docs/abi.md 2.6). */
    public static final int USER_DATA_OFFSET = 0;
    /** Byte offset of the event's {@code result} field (docs/abi.md 2.6). */
    public static final int RESULT_OFFSET = 8;
    /** Byte offset of the event's {@code flags} field (docs/abi.md 2.6). */
    public static final int FLAGS_OFFSET = 16;
    /** Byte offset of the event's {@code opcode} field (docs/abi.md 2.6). */
    public static final int OPCODE_OFFSET = 20;
    /** Byte offset of the event's {@code attribute_count} field (docs/abi.md 2.6). */
    public static final int ATTRIBUTE_COUNT_OFFSET = 22;
    /** Byte offset of the event's {@code sequence} field (docs/abi.md 2.6). */
    public static final int SEQUENCE_OFFSET = 24;
    /** The length of the event's fixed header in bytes (docs/abi.md 2.6). */
    public static final int HEADER_LENGTH = 32;

    /** flags: the event waited on the overflow list before it entered the ring. */
    public static final int FLAG_OVERFLOWED = 1;
    /** flags: a multishot iocb posted this event and goes on; more events with its user_data follow. */
    public static final int FLAG_MORE = 2;
    /** Every flag bit of the event this version knows (docs/abi.md 2.6). */
    public static final int KNOWN_FLAGS = FLAG_OVERFLOWED | FLAG_MORE;

    /** sequence of an event handed to the thread that awaited it (or that executed it) rather than the ring. */
    public static final long SEQUENCE_NOT_IN_RING = -1L;

    private EventDescriptor() {
    }
}
