package io.aioring.abi.layout;

/**
 * One attribute return record inside an event, in the order the iocb requested them, each padded to 8.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+---------------+---------------+
 *  |        attribute_id (u16)     |  status (u8)  |  version (u8) |  0
 *  +-------------------------------+---------------+---------------+
 *  |                     payload_length (u32)                       |  4
 *  +---------------------------------------------------------------+
 *  |                     payload, padded to 8                      ...  8
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class AttributeRecordDescriptor {
    /** Byte offset of an attribute return record's {@code id} field (docs/abi.md 2.7). */
    public static final int ID_OFFSET = 0;
    /** Byte offset of an attribute return record's {@code status} field (docs/abi.md 2.7). */
    public static final int STATUS_OFFSET = 2;
    /** Byte offset of an attribute return record's {@code version} field (docs/abi.md 2.7). */
    public static final int VERSION_OFFSET = 3;
    /** Byte offset of an attribute return record's {@code payload_length} field (docs/abi.md 2.7). */
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    /** The length of an attribute return record's fixed header in bytes (docs/abi.md 2.7). */
    public static final int HEADER_LENGTH = 8;

    /** status: the attribute ran; its payload holds its values. */
    public static final int STATUS_HANDLED = 0;
    /** status: the attribute is unknown here or does not apply to this opcode; no payload. */
    public static final int STATUS_UNSUPPORTED = 1;
    /** status: the attribute applied but could not produce its values; no payload. */
    public static final int STATUS_FAILED = 2;

    private AttributeRecordDescriptor() {
    }

    /**
     * {@return its name ("handled", "unsupported", "failed"), or "status N" for one this build does not know}
     *
     * @param status a record's status byte
     */
    public static String statusName(final int status) {
        return switch (status) {
            case STATUS_HANDLED -> "handled";
            case STATUS_UNSUPPORTED -> "unsupported";
            case STATUS_FAILED -> "failed";
            default -> "status " + status;
        };
    }
}
