package io.aioring.ring;

/**
 * The layout of one record in the data area.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  length (u32): header + payload                |
 *  +---------------------------------------------------------------+
 *  |                  type (u32): 0 = filler, else the application's |
 *  +---------------------------------------------------------------+
 *  |                  payload (length - 8 bytes)                   ...
 *  +---------------------------------------------------------------+
 *  |                  zero to 7 bytes of padding to the next 8      |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>A record starts on an 8-byte boundary and occupies {@code align8(length)} bytes. A record never straddles
 * the end of the data area: when the next record does not fit before the end, the producer writes a filler
 * (type 0) whose length runs exactly to the end, and the record starts at offset 0. Reapers skip fillers.
 */
public final class RecordDescriptor {
    /** Byte offset of a record header's {@code length} field (docs/abi.md 1.4). */
    public static final int LENGTH_OFFSET = 0;
    /** Byte offset of a record header's {@code type} field (docs/abi.md 1.4). */
    public static final int TYPE_OFFSET = 4;
    /** The record header's length in bytes: every payload follows it (docs/abi.md 1.4). */
    public static final int HEADER_LENGTH = 8;
    /** Every record starts at a multiple of this, and its padded length is one (docs/abi.md 1.4). */
    public static final int ALIGNMENT = 8;
    /** The type of a filler record; never handed to a reaper's handler. */
    public static final int FILLER_TYPE = 0;

    private RecordDescriptor() {
    }

    /**
     * {@return {@code length} rounded up to the record alignment}
     *
     * @param length the length in bytes
     */
    public static int align(final int length) {
        return (length + (ALIGNMENT - 1)) & -ALIGNMENT;
    }
}
