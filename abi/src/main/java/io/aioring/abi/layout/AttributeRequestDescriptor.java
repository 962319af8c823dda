package io.aioring.abi.layout;

/**
 * One attribute request inside an iocb, after the fixed header; requests follow each other, each padded to 8.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |        attribute_id (u16)     |          flags (u16)          |  0
 *  +-------------------------------+-------------------------------+
 *  |                     payload_length (u32)                       |  4
 *  +---------------------------------------------------------------+
 *  |                     payload, padded to 8                      ...  8
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class AttributeRequestDescriptor {
    /** Byte offset of an attribute request's {@code id} field (docs/abi.md 2.3). */
    public static final int ID_OFFSET = 0;
    /** Byte offset of an attribute request's {@code flags} field (docs/abi.md 2.3). */
    public static final int FLAGS_OFFSET = 2;
    /** Byte offset of an attribute request's {@code payload_length} field (docs/abi.md 2.3). */
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    /** The length of an attribute request's fixed header in bytes (docs/abi.md 2.3). */
    public static final int HEADER_LENGTH = 8;

    /** flags: the iocb must fail, doing no I/O, if this attribute is unknown or does not support its opcode. */
    public static final int FLAG_REQUIRED = 1;
    /** Every flag bit of an attribute request this version knows (docs/abi.md 2.3). */
    public static final int KNOWN_FLAGS = FLAG_REQUIRED;

    private AttributeRequestDescriptor() {
    }
}
