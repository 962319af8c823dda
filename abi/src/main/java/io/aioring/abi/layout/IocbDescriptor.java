package io.aioring.abi.layout;

/**
 * The layout of an iocb: a 56-byte fixed header followed by {@code attribute_count} attribute requests. A
 * submission is a batch of iocbs back to back, each {@code length} bytes (a multiple of 8).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     length (u32): the whole iocb               |  0
 *  +-------------------------------+-------------------------------+
 *  |         opcode (u16)          |          flags (u16)          |  4
 *  +-------------------------------+-------------------------------+
 *  |                     fd (i32)                                   |  8
 *  +-------------------------------+-------------------------------+
 *  |        priority (u16)         |    attribute_count (u16)      | 12
 *  +-------------------------------+-------------------------------+
 *  |                     offset (u64)                               | 16
 *  +---------------------------------------------------------------+
 *  |                     address (u64)                              | 24
 *  +---------------------------------------------------------------+
 *  |                     length_or_count (u32)                      | 32
 *  +---------------------------------------------------------------+
 *  |                     op_flags (u32)                             | 36
 *  +---------------------------------------------------------------+
 *  |                     user_data (u64)                            | 40
 *  +---------------------------------------------------------------+
 *  |                     mode (u32)                                 | 48
 *  +---------------------------------------------------------------+
 *  |                     reserved (u32, zero)                       | 52
 *  +---------------------------------------------------------------+
 *  |                     attribute requests ...                     | 56
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class IocbDescriptor {
    public static final int LENGTH_OFFSET = 0;
    public static final int OPCODE_OFFSET = 4;
    public static final int FLAGS_OFFSET = 6;
    public static final int FD_OFFSET = 8;
    public static final int PRIORITY_OFFSET = 12;
    public static final int ATTRIBUTE_COUNT_OFFSET = 14;
    public static final int OFFSET_OFFSET = 16;
    public static final int ADDRESS_OFFSET = 24;
    public static final int LENGTH_OR_COUNT_OFFSET = 32;
    public static final int OP_FLAGS_OFFSET = 36;
    public static final int USER_DATA_OFFSET = 40;
    public static final int MODE_OFFSET = 48;
    public static final int RESERVED_OFFSET = 52;
    public static final int HEADER_LENGTH = 56;

    /** The largest iocb, header and attribute requests together. */
    public static final int MAX_LENGTH = 1024;
    public static final int ALIGNMENT = 8;
    /** iocb flags defined in version 1: none. Any set bit fails the iocb with -EINVAL. */
    public static final int KNOWN_FLAGS = 0;

    private IocbDescriptor() {
    }
}
